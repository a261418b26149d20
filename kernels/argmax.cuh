// Row-wise argmax over fp32 logits, ties to the lowest index (CPU twin: cpu::argmax_rows).
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

namespace cllm::cuda {

// out[r] = argmax_c logits[r * cols + c] for r < rows. One block per row.
cudaError_t launch_argmax_rows(const float* logits, int32_t rows, int32_t cols, int32_t* out, cudaStream_t stream);

}  // namespace cllm::cuda
