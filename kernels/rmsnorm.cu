#include "rmsnorm.cuh"

#include "common.cuh"
#include "row_spread.hpp"

namespace cllm::cuda {
namespace {

constexpr int kThreads = 256;

// Grid: (blocks per row, rows). Every block of a row reduces the whole row in the same fixed order, so
// the scale (and with it every output) does not depend on how many blocks share the row.
__global__ void __launch_bounds__(kThreads)
    rmsnorm_rows_kernel(const float* __restrict__ x, int32_t ld_x, const float* __restrict__ weight, int32_t dim,
                        float eps, __nv_bfloat16* __restrict__ out, int32_t ld_out, const int32_t* active,
                        int32_t max_rows) {
  pdl_wait();  // x and the row count come from earlier kernels (launch_options.cuh)
  pdl_launch_dependents();
  const int row = blockIdx.y;
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
  const SpreadRange slice = spread_range(dim, int32_t(gridDim.x), int32_t(blockIdx.x), kSpreadGranule);
  for (int i = slice.begin + threadIdx.x; i < slice.end; i += kThreads) {
    yr[i] = __float2bfloat16_rn(xr[i] * scale * weight[i]);
  }
}

}  // namespace

cudaError_t launch_rmsnorm_rows(const float* x, int32_t ld_x, const float* weight, int32_t dim, float eps,
                                __nv_bfloat16* out, int32_t ld_out, const int32_t* active_rows, int32_t max_rows,
                                cudaStream_t stream, const LaunchOptions& options) {
  if (!x || !weight || !out || dim <= 0 || ld_x < dim || ld_out < dim || max_rows <= 0 || max_rows > 65535 ||
      options.spread < 1 || options.spread > kMaxSpread) {
    return cudaErrorInvalidValue;
  }
  return launch_kernel(rmsnorm_rows_kernel, dim3(unsigned(options.spread), unsigned(max_rows)), dim3(kThreads), 0,
                       stream, options.pdl, x, ld_x, weight, dim, eps, out, ld_out, active_rows, max_rows);
}

}  // namespace cllm::cuda
