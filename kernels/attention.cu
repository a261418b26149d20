#include "attention.cuh"

#include "common.cuh"

namespace cllm::cuda {
namespace {

constexpr int kThreads = 128;
constexpr int kQueries = kAttentionQueriesPerBlock;  // 16: 4 per warp
constexpr int kQueriesPerWarp = kQueries / (kThreads / 32);
constexpr int kTile = kAttentionTile;                // 32 positions: one per lane

// Shared memory: the block's queries (fp32), then a tile of keys with rows padded to an odd number of
// words (lane j reads row j: conflict-free), then a tile of values (lanes read along a row).
size_t split_smem_bytes(int32_t head_dim) {
  const int half_words = head_dim / 2, key_words = half_words | 1;
  return sizeof(float) * size_t(kQueries) * head_dim + sizeof(uint32_t) * size_t(kTile) * (key_words + half_words);
}

// D: head_dim <= 32 * D; lane owns output dimensions lane + 32c.
template <int D>
__global__ void __launch_bounds__(kThreads) attention_split_kernel(const AttentionArgs a) {
  extern __shared__ __align__(16) uint32_t smem[];
  const int split = blockIdx.x, kv_head = blockIdx.y;
  const int32_t length = *a.length;
  const int rows = active_rows(a.active_rows, a.max_rows);
  const int group = a.n_heads / a.n_kv_heads;
  const int q0 = blockIdx.z * kQueries;  // query vectors of this KV head: (row, head in group)
  const int q_count = min(kQueries, rows * group - q0);
  if (q_count <= 0) return;
  const int last_row = (q0 + q_count - 1) / group;
  const int s0 = split * a.chunk;
  const int s_end = min(s0 + a.chunk, length + last_row + 1);  // nothing past the last row's position
  if (s0 >= s_end) return;

  const int hd = a.head_dim, half_words = hd / 2, key_words = half_words | 1;
  const int kv_words = a.n_kv_heads * half_words;  // words per cache position
  float* q_s = reinterpret_cast<float*>(smem);
  uint32_t* k_s = smem + kQueries * hd;
  uint32_t* v_s = k_s + kTile * key_words;
  const __nv_bfloat16* v_tile = reinterpret_cast<const __nv_bfloat16*>(v_s);
  const uint32_t* k_src = reinterpret_cast<const uint32_t*>(a.k_cache) + kv_head * half_words;
  const uint32_t* v_src = reinterpret_cast<const uint32_t*>(a.v_cache) + kv_head * half_words;

  for (int i = threadIdx.x; i < q_count * hd; i += kThreads) {
    const int qi = i / hd, d = i % hd, qv = q0 + qi;
    const int row = qv / group, head = kv_head * group + qv % group;
    q_s[i] = a.q[(int64_t(row) * a.n_heads + head) * hd + d];
  }

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  float m[kQueriesPerWarp], l[kQueriesPerWarp], acc[kQueriesPerWarp][D];
  int visible_end[kQueriesPerWarp];  // one past the last position query i may see in this chunk
#pragma unroll
  for (int i = 0; i < kQueriesPerWarp; ++i) {
    const int qi = warp * kQueriesPerWarp + i;
    visible_end[i] = qi < q_count ? min(s_end, length + (q0 + qi) / group + 1) : s0;
    m[i] = -INFINITY;
    l[i] = 0.0f;
#pragma unroll
    for (int c = 0; c < D; ++c) acc[i][c] = 0.0f;
  }

  for (int base = s0; base < s_end; base += kTile) {
    __syncthreads();  // the previous tile is consumed (and the queries are staged)
    for (int i = threadIdx.x; i < kTile * half_words; i += kThreads) {
      const int j = i / half_words, w = i % half_words, pos = base + j;
      uint32_t key = 0u, value = 0u;
      if (pos < s_end) {
        const int64_t offset = int64_t(pos) * kv_words + w;
        key = k_src[offset];
        value = v_src[offset];
      }
      k_s[j * key_words + w] = key;
      v_s[j * half_words + w] = value;
    }
    __syncthreads();
#pragma unroll
    for (int i = 0; i < kQueriesPerWarp; ++i) {
      if (base >= visible_end[i]) continue;  // warp-uniform
      const float* qh = q_s + (warp * kQueriesPerWarp + i) * hd;
      const bool visible = base + lane < visible_end[i];
      float score = -INFINITY;
      if (visible) {
        const uint32_t* key = k_s + lane * key_words;
        float dot = 0.0f;
        for (int w = 0; w < half_words; ++w) {
          const uint32_t pair = key[w];
          dot = fmaf(qh[2 * w], bf16_low(pair), dot);
          dot = fmaf(qh[2 * w + 1], bf16_high(pair), dot);
        }
        score = dot * a.scale;
      }
      // Lane 0 is always visible here, so the tile maximum is finite and no exp sees inf - inf.
      const float m_new = fmaxf(m[i], warp_max(score));
      const float correction = __expf(m[i] - m_new);
      const float p = visible ? __expf(score - m_new) : 0.0f;
      l[i] = l[i] * correction + warp_sum(p);
#pragma unroll
      for (int c = 0; c < D; ++c) acc[i][c] *= correction;
      const int count = min(kTile, visible_end[i] - base);
      for (int j = 0; j < count; ++j) {
        const float pj = __shfl_sync(0xffffffffu, p, j);
#pragma unroll
        for (int c = 0; c < D; ++c) {
          const int d = lane + 32 * c;
          if (d < hd) acc[i][c] = fmaf(pj, __bfloat162float(v_tile[j * hd + d]), acc[i][c]);
        }
      }
      m[i] = m_new;
    }
  }

  const int64_t split_stride = int64_t(a.partial_rows) * a.n_heads;
#pragma unroll
  for (int i = 0; i < kQueriesPerWarp; ++i) {
    const int qi = warp * kQueriesPerWarp + i;
    if (qi >= q_count || visible_end[i] <= s0) continue;
    const int qv = q0 + qi, row = qv / group, head = kv_head * group + qv % group;
    const int64_t slot = split * split_stride + int64_t(row) * a.n_heads + head;
    float* o = a.partial_o + slot * hd;
#pragma unroll
    for (int c = 0; c < D; ++c) {
      const int d = lane + 32 * c;
      if (d < hd) o[d] = acc[i][c];
    }
    if (lane == 0) {  // l differs in the last bits between lanes (butterfly order): use lane 0's
      a.partial_ml[2 * slot] = m[i];
      a.partial_ml[2 * slot + 1] = l[i];
    }
  }
}

// One warp per (row, head): merge the chunks the row can see, in chunk order.
__global__ void __launch_bounds__(kThreads) attention_combine_kernel(const AttentionArgs a) {
  __shared__ float weights[kThreads / 32][kAttentionMaxSplits];
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int rows = active_rows(a.active_rows, a.max_rows);
  const int gq = blockIdx.x * (kThreads / 32) + warp;  // row * n_heads + head
  if (gq >= rows * a.n_heads) return;
  const int row = gq / a.n_heads, head = gq % a.n_heads;
  const int32_t position = *a.length + row;
  const int splits = min(position / a.chunk + 1, min(a.num_splits, kAttentionMaxSplits));
  const int64_t split_stride = int64_t(a.partial_rows) * a.n_heads;
  float m_max = -INFINITY;
  for (int s = 0; s < splits; ++s) m_max = fmaxf(m_max, a.partial_ml[2 * (s * split_stride + gq)]);
  for (int s = lane; s < splits; s += 32) weights[warp][s] = __expf(a.partial_ml[2 * (s * split_stride + gq)] - m_max);
  __syncwarp();
  float total = 0.0f;
  for (int s = 0; s < splits; ++s) total = fmaf(weights[warp][s], a.partial_ml[2 * (s * split_stride + gq) + 1], total);
  const float inv_total = 1.0f / total;
  __nv_bfloat16* out = a.out + int64_t(row) * a.ld_out + int64_t(head) * a.head_dim;
  for (int d = lane; d < a.head_dim; d += 32) {
    float o = 0.0f;
    for (int s = 0; s < splits; ++s) o = fmaf(weights[warp][s], a.partial_o[(s * split_stride + gq) * a.head_dim + d], o);
    out[d] = __float2bfloat16_rn(o * inv_total);
  }
}

template <int D>
cudaError_t launch_split(const AttentionArgs& a, cudaStream_t stream) {
  const int group = a.n_heads / a.n_kv_heads;
  const dim3 grid(unsigned(a.num_splits), unsigned(a.n_kv_heads), unsigned((a.max_rows * group + kQueries - 1) / kQueries));
  attention_split_kernel<D><<<grid, kThreads, split_smem_bytes(a.head_dim), stream>>>(a);
  return cudaGetLastError();
}

}  // namespace

cudaError_t prepare_attention(int32_t head_dim) {
  if (head_dim <= 0 || head_dim > kAttentionMaxHeadDim || head_dim % 2 != 0) return cudaErrorInvalidValue;
  const size_t bytes = split_smem_bytes(head_dim);
  if (bytes <= 48 * 1024) return cudaSuccess;
  const int value = int(bytes);
  if (head_dim <= 64) return cudaFuncSetAttribute(attention_split_kernel<2>, cudaFuncAttributeMaxDynamicSharedMemorySize, value);
  if (head_dim <= 128) return cudaFuncSetAttribute(attention_split_kernel<4>, cudaFuncAttributeMaxDynamicSharedMemorySize, value);
  return cudaFuncSetAttribute(attention_split_kernel<8>, cudaFuncAttributeMaxDynamicSharedMemorySize, value);
}

cudaError_t launch_attention(const AttentionArgs& a, cudaStream_t stream) {
  if (!a.q || !a.k_cache || !a.v_cache || !a.length || !a.partial_o || !a.partial_ml || !a.out || a.n_heads <= 0 ||
      a.n_kv_heads <= 0 || a.n_heads % a.n_kv_heads != 0 || a.head_dim <= 0 || a.head_dim % 2 != 0 ||
      a.head_dim > kAttentionMaxHeadDim || a.max_rows <= 0 || a.max_rows > a.partial_rows || a.chunk <= 0 ||
      a.chunk % kTile != 0 || a.num_splits <= 0 || a.num_splits > kAttentionMaxSplits ||
      a.ld_out < a.n_heads * a.head_dim) {
    return cudaErrorInvalidValue;
  }
  cudaError_t status = a.head_dim <= 64 ? launch_split<2>(a, stream)
                       : a.head_dim <= 128 ? launch_split<4>(a, stream)
                                           : launch_split<8>(a, stream);
  if (status != cudaSuccess) return status;
  const unsigned blocks = unsigned((int64_t(a.max_rows) * a.n_heads + kThreads / 32 - 1) / (kThreads / 32));
  attention_combine_kernel<<<blocks, kThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

}  // namespace cllm::cuda
