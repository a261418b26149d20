#include "rope_kv.cuh"

#include "common.cuh"

namespace cllm::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads) rope_kv_kernel(const RopeKvArgs a) {
  const int row = blockIdx.x;
  if (row >= active_rows(a.active_rows, a.max_rows)) return;
  const int32_t position = *a.length + row;
  if (position < 0 || position >= a.capacity) return;
  const int half = a.head_dim / 2;
  const int q_dim = a.n_heads * a.head_dim, kv_dim = a.n_kv_heads * a.head_dim;
  const float* src = a.qkv + int64_t(row) * a.ld_qkv;
  __nv_bfloat16* k_dst = a.k_cache + int64_t(position) * kv_dim;
  __nv_bfloat16* v_dst = a.v_cache + int64_t(position) * kv_dim;
  const int pairs = (a.n_heads + a.n_kv_heads) * half;
  for (int idx = threadIdx.x; idx < pairs; idx += kThreads) {
    const int head = idx / half, i = idx % half;
    // The angle is rounded to float exactly as the CPU twin does; its sine and cosine are taken in
    // double because --use_fast_math would turn sinf/cosf into approximations that lose accuracy for
    // the large angles of late positions.
    const float angle = float(position) * a.inv_freq[i];
    double s, c;
    sincos(double(angle), &s, &c);
    const float sf = float(s), cf = float(c);
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
  for (int i = threadIdx.x; i < kv_dim; i += kThreads) v_dst[i] = __float2bfloat16_rn(v[i]);
}

}  // namespace

cudaError_t launch_rope_kv(const RopeKvArgs& a, cudaStream_t stream) {
  if (!a.qkv || !a.inv_freq || !a.length || !a.q_out || !a.k_cache || !a.v_cache || a.n_heads <= 0 ||
      a.n_kv_heads <= 0 || a.head_dim <= 0 || a.head_dim % 2 != 0 || a.max_rows <= 0 || a.capacity <= 0 ||
      a.ld_qkv < (a.n_heads + 2 * a.n_kv_heads) * a.head_dim) {
    return cudaErrorInvalidValue;
  }
  rope_kv_kernel<<<a.max_rows, kThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

}  // namespace cllm::cuda
