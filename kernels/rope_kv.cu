#include "rope_kv.cuh"

#include "common.cuh"
#include "rope_table.hpp"
#include "row_spread.hpp"

namespace cllm::cuda {
namespace {

constexpr int kThreads = 256;

// The angle is rounded to float exactly as the CPU twin does; its sine and cosine are taken in double
// because --use_fast_math would turn sinf/cosf into approximations that lose accuracy for the large
// angles of late positions.
__device__ __forceinline__ float2 rope_cos_sin(int32_t position, float inv_freq) {
  double s, c;
  sincos(double(rope_angle(position, inv_freq)), &s, &c);
  return make_float2(float(c), float(s));
}

// Grid: (blocks per row, rows). Each (row, pair) and each value is handled by exactly one block.
__global__ void __launch_bounds__(kThreads) rope_kv_kernel(const RopeKvArgs a) {
  pdl_wait();  // qkv, the length and the row count come from earlier kernels (launch_options.cuh)
  pdl_launch_dependents();
  const int row = blockIdx.y;
  if (row >= active_rows(a.active_rows, a.max_rows)) return;
  const int32_t position = *a.length + row;
  if (position < 0 || position >= a.capacity) return;
  const int half = a.head_dim / 2;
  const int q_dim = a.n_heads * a.head_dim, kv_dim = a.n_kv_heads * a.head_dim;
  const float* src = a.qkv + int64_t(row) * a.ld_qkv;
  __nv_bfloat16* k_dst = a.k_cache + int64_t(position) * kv_dim;
  __nv_bfloat16* v_dst = a.v_cache + int64_t(position) * kv_dim;
  const int pairs = (a.n_heads + a.n_kv_heads) * half;
  const int parts = int(gridDim.x), part = int(blockIdx.x);
  const SpreadRange pair_slice = spread_range(pairs, parts, part, kSpreadGranule);
  for (int idx = pair_slice.begin + threadIdx.x; idx < pair_slice.end; idx += kThreads) {
    const int head = idx / half, i = idx % half;
    const float2 cs =
        a.cos_sin ? a.cos_sin[rope_table_index(position, i, half)] : rope_cos_sin(position, a.inv_freq[i]);
    const float cf = cs.x, sf = cs.y;
    if (head < a.n_heads) {
      const float* h = src + head * a.head_dim;
      const float x0 = h[i], x1 = h[i + half];
      float* q = a.q_out + (int64_t(row) * a.n_heads + head) * a.head_dim;
      q[i] = x0 * cf - x1 * sf;
      q[i + half] = x1 * cf + x0 * sf;
    } else {
      const int kv_head = head - a.n_heads;
      const float* h = src + q_dim + kv_head * a.head_dim;
      const float x0 = h[i], x1 = h[i + half];
      k_dst[kv_head * a.head_dim + i] = __float2bfloat16_rn(x0 * cf - x1 * sf);
      k_dst[kv_head * a.head_dim + i + half] = __float2bfloat16_rn(x1 * cf + x0 * sf);
    }
  }
  const float* v = src + q_dim + kv_dim;
  const SpreadRange value_slice = spread_range(kv_dim, parts, part, kSpreadGranule);
  for (int i = value_slice.begin + threadIdx.x; i < value_slice.end; i += kThreads)
    v_dst[i] = __float2bfloat16_rn(v[i]);
}

__global__ void __launch_bounds__(kThreads)
    rope_table_kernel(float2* table, int32_t positions, const float* inv_freq, int32_t half) {
  const int64_t total = int64_t(positions) * half;
  for (int64_t e = blockIdx.x * int64_t(kThreads) + threadIdx.x; e < total; e += int64_t(gridDim.x) * kThreads) {
    const int32_t position = int32_t(e / half), i = int32_t(e % half);
    table[rope_table_index(position, i, half)] = rope_cos_sin(position, inv_freq[i]);
  }
}

}  // namespace

cudaError_t launch_rope_kv(const RopeKvArgs& a, cudaStream_t stream, const LaunchOptions& options) {
  if (!a.qkv || !a.inv_freq || !a.length || !a.q_out || !a.k_cache || !a.v_cache || a.n_heads <= 0 ||
      a.n_kv_heads <= 0 || a.head_dim <= 0 || a.head_dim % 2 != 0 || a.max_rows <= 0 || a.max_rows > 65535 ||
      a.capacity <= 0 || a.ld_qkv < (a.n_heads + 2 * a.n_kv_heads) * a.head_dim || options.spread < 1 ||
      options.spread > kMaxSpread) {
    return cudaErrorInvalidValue;
  }
  return launch_kernel(rope_kv_kernel, dim3(unsigned(options.spread), unsigned(a.max_rows)), dim3(kThreads), 0, stream,
                       options.pdl, a);
}

cudaError_t launch_rope_table(float2* table, int32_t positions, const float* inv_freq, int32_t head_dim,
                              cudaStream_t stream) {
  if (!table || !inv_freq || positions <= 0 || head_dim <= 0 || head_dim % 2 != 0) return cudaErrorInvalidValue;
  const int64_t total = int64_t(positions) * (head_dim / 2);
  const int64_t blocks = (total + kThreads - 1) / kThreads;
  rope_table_kernel<<<unsigned(blocks < 4096 ? blocks : 4096), kThreads, 0, stream>>>(table, positions, inv_freq,
                                                                                      head_dim / 2);
  return cudaGetLastError();
}

}  // namespace cllm::cuda
