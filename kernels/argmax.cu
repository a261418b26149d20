#include "argmax.cuh"

#include "common.cuh"

namespace cllm::cuda {
namespace {

constexpr int kThreads = 256;

// Keeps (value, index) with the larger value; on equal values the lower index wins, so the result does
// not depend on the reduction order.
__device__ __forceinline__ void keep_better(float& value, int32_t& index, float other_value, int32_t other_index) {
  if (other_value > value || (other_value == value && other_index < index)) {
    value = other_value;
    index = other_index;
  }
}

__global__ void argmax_rows_kernel(const float* __restrict__ logits, int32_t ld, int32_t cols, const int32_t* active,
                                   int32_t max_rows, int32_t* __restrict__ out) {
  if (static_cast<int32_t>(blockIdx.x) >= active_rows(active, max_rows)) return;
  const float* row = logits + static_cast<int64_t>(blockIdx.x) * ld;
  float best = -INFINITY;
  int32_t best_index = cols;  // larger than any real index
  for (int32_t c = threadIdx.x; c < cols; c += blockDim.x) keep_better(best, best_index, row[c], c);
  for (int offset = 16; offset > 0; offset /= 2) {
    const float other = __shfl_down_sync(0xffffffffu, best, offset);
    const int32_t other_index = __shfl_down_sync(0xffffffffu, best_index, offset);
    keep_better(best, best_index, other, other_index);
  }
  __shared__ float warp_best[kThreads / 32];
  __shared__ int32_t warp_index[kThreads / 32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) {
    warp_best[warp] = best;
    warp_index[warp] = best_index;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    for (int w = 1; w < kThreads / 32; ++w) keep_better(best, best_index, warp_best[w], warp_index[w]);
    // A row of NaNs keeps index cols; report 0 as the CPU twin does.
    out[blockIdx.x] = best_index < cols ? best_index : 0;
  }
}

}  // namespace

cudaError_t launch_argmax_rows(const float* logits, int32_t rows, int32_t cols, int32_t* out, cudaStream_t stream) {
  if (rows <= 0 || cols <= 0) return cudaErrorInvalidValue;
  argmax_rows_kernel<<<rows, kThreads, 0, stream>>>(logits, cols, cols, nullptr, rows, out);
  return cudaGetLastError();
}

cudaError_t launch_argmax_rows_active(const float* logits, int32_t ld, const int32_t* active_rows, int32_t max_rows,
                                      int32_t cols, int32_t* out, cudaStream_t stream) {
  if (logits == nullptr || out == nullptr || max_rows <= 0 || cols <= 0 || ld < cols) return cudaErrorInvalidValue;
  argmax_rows_kernel<<<max_rows, kThreads, 0, stream>>>(logits, ld, cols, active_rows, max_rows, out);
  return cudaGetLastError();
}

}  // namespace cllm::cuda
