#include "rmsnorm.cuh"

#include "common.cuh"

namespace cllm::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads) rmsnorm_rows_kernel(const float* __restrict__ x, int32_t ld_x,
                                                                const float* __restrict__ weight, int32_t dim,
                                                                float eps, __nv_bfloat16* __restrict__ out,
                                                                int32_t ld_out, const int32_t* active, int32_t max_rows) {
  const int row = blockIdx.x;
  if (row >= active_rows(active, max_rows)) return;
  const float* xr = x + int64_t(row) * ld_x;
  float sum = 0.0f;
  for (int i = threadIdx.x; i < dim; i += kThreads) sum = fmaf(xr[i], xr[i], sum);
  // Fixed-order block reduction: lane 0 of each warp, then thread 0 over the warps in order.
  __shared__ float warp_sums[kThreads / 32];
  __shared__ float scale;
  sum = warp_sum(sum);
  if (threadIdx.x % 32 == 0) warp_sums[threadIdx.x / 32] = sum;
  __syncthreads();
  if (threadIdx.x == 0) {
    float total = 0.0f;
    for (int w = 0; w < kThreads / 32; ++w) total += warp_sums[w];
    scale = rsqrtf(total / float(dim) + eps);
  }
  __syncthreads();
  __nv_bfloat16* yr = out + int64_t(row) * ld_out;
  for (int i = threadIdx.x; i < dim; i += kThreads) yr[i] = __float2bfloat16_rn(xr[i] * scale * weight[i]);
}

}  // namespace

cudaError_t launch_rmsnorm_rows(const float* x, int32_t ld_x, const float* weight, int32_t dim, float eps,
                                __nv_bfloat16* out, int32_t ld_out, const int32_t* active_rows, int32_t max_rows,
                                cudaStream_t stream) {
  if (!x || !weight || !out || dim <= 0 || ld_x < dim || ld_out < dim || max_rows <= 0) return cudaErrorInvalidValue;
  rmsnorm_rows_kernel<<<max_rows, kThreads, 0, stream>>>(x, ld_x, weight, dim, eps, out, ld_out, active_rows, max_rows);
  return cudaGetLastError();
}

}  // namespace cllm::cuda
