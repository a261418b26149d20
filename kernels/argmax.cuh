// Row-wise argmax over fp32 logits, ties to the lowest index (CPU twin: cpu::argmax_rows).
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

namespace cllm::cuda {

// out[r] = argmax_c logits[r * cols + c] for r < rows. One block per row.
cudaError_t launch_argmax_rows(const float* logits, int32_t rows, int32_t cols, int32_t* out, cudaStream_t stream);

// The same for a row count in device memory (active_rows; nullptr: max_rows) and rows ld floats apart:
// the Jacobi iteration graph reads the window width from the device.
cudaError_t launch_argmax_rows_active(const float* logits, int32_t ld, const int32_t* active_rows, int32_t max_rows,
                                      int32_t cols, int32_t* out, cudaStream_t stream);

}  // namespace cllm::cuda
