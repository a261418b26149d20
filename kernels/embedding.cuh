// Token embedding lookup: fp32 residual rows from the bf16 embedding table. CPU twin: the row copy at
// the start of the CPU forward.
#pragma once

#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_runtime.h>

namespace cllm::cuda {

// x[r][i] = table[tokens[r]][i] for r < active rows, i < dim. tokens lives in device memory (the
// Jacobi window), so graph replays pick up new tokens. Ids outside [0, vocab) read row 0 (api.cpp
// validates host input; this only keeps a device-side bug from reading out of bounds).
cudaError_t launch_embed_rows(const int32_t* tokens, const __nv_bfloat16* table, int32_t ld_table, int32_t vocab,
                              int32_t dim, float* x, int32_t ld_x, const int32_t* active_rows, int32_t max_rows,
                              cudaStream_t stream);

}  // namespace cllm::cuda
