#include "embedding.cuh"

#include "common.cuh"

namespace cllm::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads)
    embed_rows_kernel(const int32_t* __restrict__ tokens, const __nv_bfloat16* __restrict__ table, int32_t ld_table,
                      int32_t vocab, int32_t dim, float* __restrict__ x, int32_t ld_x, const int32_t* active,
                      int32_t max_rows) {
  const int row = blockIdx.x;
  if (row >= active_rows(active, max_rows)) return;
  int32_t token = tokens[row];
  if (token < 0 || token >= vocab) token = 0;
  const __nv_bfloat16* src = table + int64_t(token) * ld_table;
  float* dst = x + int64_t(row) * ld_x;
  for (int i = threadIdx.x; i < dim; i += kThreads) dst[i] = __bfloat162float(src[i]);
}

}  // namespace

cudaError_t launch_embed_rows(const int32_t* tokens, const __nv_bfloat16* table, int32_t ld_table, int32_t vocab,
                              int32_t dim, float* x, int32_t ld_x, const int32_t* active_rows, int32_t max_rows,
                              cudaStream_t stream) {
  if (!tokens || !table || !x || vocab <= 0 || dim <= 0 || ld_table < dim || ld_x < dim || max_rows <= 0) {
    return cudaErrorInvalidValue;
  }
  embed_rows_kernel<<<max_rows, kThreads, 0, stream>>>(tokens, table, ld_table, vocab, dim, x, ld_x, active_rows,
                                                       max_rows);
  return cudaGetLastError();
}

}  // namespace cllm::cuda
