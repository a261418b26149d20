#include "attention.cuh"

#include "attention_v2_plan.hpp"
#include "common.cuh"

namespace cllm::cuda {
namespace {

constexpr int kThreads = 128;
constexpr int kQueries = kAttentionQueriesPerBlock;  // 16: 4 per warp
constexpr int kQueriesPerWarp = kQueries / (kThreads / 32);
constexpr int kTile = kAttentionTile;  // 32 positions: one per lane

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
  pdl_wait();  // q, the cache, the length and the row count come from earlier kernels
  pdl_launch_dependents();
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

// ---- Second variant (attention_v2_plan.hpp) ----
//
// P position groups: warp w handles query group w / P (4 query vectors) and position group w % P, i.e.
// tiles s0 + 32 (w % P) + 32 P j of the chunk. The warps of one position group stage their tiles together
// (16-byte loads when head_dim % 8 == 0); with P = 4 each warp stages its own. With P = 4 the warps'
// online-softmax states of a query are merged in warp order at the end.
template <int P>
__device__ __forceinline__ void position_group_sync() {
  if constexpr (P == 1) {
    __syncthreads();
  } else {
    static_assert(P == kThreads / 32, "one warp per position group");
    __syncwarp();
  }
}

size_t v2_smem_bytes(int32_t head_dim, int p) {
  const int half_words = head_dim / 2, key_words = half_words | 1;
  const size_t queries = size_t(kQueries / p) * head_dim * sizeof(float);
  const size_t tiles = size_t(p) * kTile * (key_words + half_words) * sizeof(uint32_t);
  // The merge (P > 1) reuses the tile area for P x 4 states of head_dim + 2 floats.
  const size_t merge = size_t(p) * kQueriesPerWarp * (head_dim + 2) * sizeof(float);
  return queries + (tiles > merge ? tiles : merge);
}

// V: 16-byte loads (head_dim % 8 == 0 and 16-byte aligned caches), else 4-byte loads. A template
// parameter rather than a branch in the loop: with both paths in the loop ptxas spills registers.
template <int D, int P, bool V>
__global__ void __launch_bounds__(kThreads) attention_split_v2_kernel(const AttentionArgs a) {
  constexpr int kBlockQueries = kQueries / P;
  constexpr int kGroupThreads = kThreads / P;
  extern __shared__ __align__(16) uint32_t smem[];
  pdl_wait();  // q, the cache, the length and the row count come from earlier kernels
  pdl_launch_dependents();
  const int q_block = blockIdx.x, split = blockIdx.y, kv_head = blockIdx.z;
  const int32_t length = *a.length;
  const int rows = active_rows(a.active_rows, a.max_rows);
  const int group = a.n_heads / a.n_kv_heads;
  const int q0 = q_block * kBlockQueries;  // query vectors of this KV head: (row, head in group)
  const int q_count = min(kBlockQueries, rows * group - q0);
  if (q_count <= 0) return;
  const int last_row = (q0 + q_count - 1) / group;
  const int s0 = split * a.chunk;
  const int s_end = min(s0 + a.chunk, length + last_row + 1);  // nothing past the last row's position
  if (s0 >= s_end) return;

  const int hd = a.head_dim, half_words = hd / 2, key_words = half_words | 1;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int position_group = warp % P, query_group = warp / P;
  const int group_thread = query_group * 32 + lane;  // index among the threads of the position group
  float* q_s = reinterpret_cast<float*>(smem);
  uint32_t* tiles = smem + kBlockQueries * hd;
  uint32_t* k_s = tiles + position_group * kTile * (key_words + half_words);
  uint32_t* v_s = k_s + kTile * key_words;  // 16-byte aligned: every area above is a multiple of 16 bytes
  const __nv_bfloat16* v_tile = reinterpret_cast<const __nv_bfloat16*>(v_s);

  for (int i = threadIdx.x; i < q_count * hd; i += kThreads) {
    const int qi = i / hd, d = i % hd, qv = q0 + qi;
    const int row = qv / group, head = kv_head * group + qv % group;
    q_s[i] = a.q[(int64_t(row) * a.n_heads + head) * hd + d];
  }
  __syncthreads();

  float m[kQueriesPerWarp], l[kQueriesPerWarp], acc[kQueriesPerWarp][D];
  int visible_end[kQueriesPerWarp];  // one past the last position query i may see in this chunk
#pragma unroll
  for (int i = 0; i < kQueriesPerWarp; ++i) {
    const int qi = query_group * kQueriesPerWarp + i;
    visible_end[i] = qi < q_count ? min(s_end, length + (q0 + qi) / group + 1) : s0;
    m[i] = -INFINITY;
    l[i] = 0.0f;
#pragma unroll
    for (int c = 0; c < D; ++c) acc[i][c] = 0.0f;
  }

  for (int base = s0 + position_group * kTile; base < s_end; base += P * kTile) {
    position_group_sync<P>();  // the previous tile of this position group is consumed
    if constexpr (V) {
      const int vectors = hd / 8;  // 16-byte vectors per position
      const int64_t stride = int64_t(a.n_kv_heads) * vectors;
      const uint4* k_src = reinterpret_cast<const uint4*>(a.k_cache) + int64_t(kv_head) * vectors;
      const uint4* v_src = reinterpret_cast<const uint4*>(a.v_cache) + int64_t(kv_head) * vectors;
      for (int i = group_thread; i < kTile * vectors; i += kGroupThreads) {
        const int j = i / vectors, c = i % vectors, pos = base + j;
        uint4 key = make_uint4(0u, 0u, 0u, 0u), value = key;
        if (pos < s_end) {
          key = __ldg(k_src + int64_t(pos) * stride + c);
          value = __ldg(v_src + int64_t(pos) * stride + c);
        }
        uint32_t* key_row = k_s + j * key_words + 4 * c;  // odd row stride: four 4-byte stores
        key_row[0] = key.x;
        key_row[1] = key.y;
        key_row[2] = key.z;
        key_row[3] = key.w;
        reinterpret_cast<uint4*>(v_s + j * half_words)[c] = value;
      }
    } else {
      const int kv_words = a.n_kv_heads * half_words;  // words per cache position
      const uint32_t* k_src = reinterpret_cast<const uint32_t*>(a.k_cache) + kv_head * half_words;
      const uint32_t* v_src = reinterpret_cast<const uint32_t*>(a.v_cache) + kv_head * half_words;
      for (int i = group_thread; i < kTile * half_words; i += kGroupThreads) {
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
    }
    position_group_sync<P>();
#pragma unroll
    for (int i = 0; i < kQueriesPerWarp; ++i) {
      if (base >= visible_end[i]) continue;  // warp-uniform
      const float* qh = q_s + (query_group * kQueriesPerWarp + i) * hd;
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
  if constexpr (P == 1) {
#pragma unroll
    for (int i = 0; i < kQueriesPerWarp; ++i) {
      const int qi = query_group * kQueriesPerWarp + i;
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
  } else {
    // Merge the P warps' states of each query in warp order. A warp that saw no position of a query
    // holds (-inf, 0, 0) and adds exact zeros, so the result does not depend on the other queries.
    __syncthreads();  // every warp is done with its tiles: their area holds the states now
    float* state_ml = reinterpret_cast<float*>(tiles);    // [P][4][2]
    float* state_o = state_ml + P * kQueriesPerWarp * 2;  // [P][4][head_dim]
#pragma unroll
    for (int i = 0; i < kQueriesPerWarp; ++i) {
      const int s = warp * kQueriesPerWarp + i;
      if (lane == 0) {
        state_ml[2 * s] = m[i];
        state_ml[2 * s + 1] = l[i];
      }
#pragma unroll
      for (int c = 0; c < D; ++c) {
        const int d = lane + 32 * c;
        if (d < hd) state_o[int64_t(s) * hd + d] = acc[i][c];
      }
    }
    __syncthreads();
    const int qi = warp;  // warp w merges query w of the block (kBlockQueries == P)
    const int query_end = qi < q_count ? min(s_end, length + (q0 + qi) / group + 1) : s0;
    if (query_end > s0) {
      float m_max = -INFINITY;
#pragma unroll
      for (int w = 0; w < P; ++w) m_max = fmaxf(m_max, state_ml[2 * (w * kQueriesPerWarp + qi)]);
      float weight[P];
      float total = 0.0f;
#pragma unroll
      for (int w = 0; w < P; ++w) {
        weight[w] = __expf(state_ml[2 * (w * kQueriesPerWarp + qi)] - m_max);
        total = fmaf(weight[w], state_ml[2 * (w * kQueriesPerWarp + qi) + 1], total);
      }
      const int qv = q0 + qi, row = qv / group, head = kv_head * group + qv % group;
      const int64_t slot = split * split_stride + int64_t(row) * a.n_heads + head;
      float* o = a.partial_o + slot * hd;
      for (int d = lane; d < hd; d += 32) {
        float sum = 0.0f;
#pragma unroll
        for (int w = 0; w < P; ++w) sum = fmaf(weight[w], state_o[int64_t(w * kQueriesPerWarp + qi) * hd + d], sum);
        o[d] = sum;
      }
      if (lane == 0) {
        a.partial_ml[2 * slot] = m_max;
        a.partial_ml[2 * slot + 1] = total;
      }
    }
  }
}

// One warp per (row, head): merge the chunks the row can see, in chunk order.
__global__ void __launch_bounds__(kThreads) attention_combine_kernel(const AttentionArgs a) {
  __shared__ float weights[kThreads / 32][kAttentionMaxSplits];
  pdl_wait();  // the partial sums come from the split kernel
  pdl_launch_dependents();
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
    for (int s = 0; s < splits; ++s)
      o = fmaf(weights[warp][s], a.partial_o[(s * split_stride + gq) * a.head_dim + d], o);
    out[d] = __float2bfloat16_rn(o * inv_total);
  }
}

template <int D>
cudaError_t launch_split(const AttentionArgs& a, cudaStream_t stream, bool pdl) {
  const int group = a.n_heads / a.n_kv_heads;
  const dim3 grid(unsigned(a.num_splits), unsigned(a.n_kv_heads),
                  unsigned((a.max_rows * group + kQueries - 1) / kQueries));
  return launch_kernel(attention_split_kernel<D>, grid, dim3(kThreads), split_smem_bytes(a.head_dim), stream, pdl, a);
}

// Second variant: the query blocks of one (split, KV head) are neighbours in launch order (grid x), so
// they run together and read the chunk's keys and values once from DRAM.
bool vector_loads(const AttentionArgs& a) {
  return a.head_dim % 8 == 0 &&
         ((reinterpret_cast<uintptr_t>(a.k_cache) | reinterpret_cast<uintptr_t>(a.v_cache)) & 15u) == 0;
}

template <int D, int P>
cudaError_t launch_split_v2(const AttentionArgs& a, cudaStream_t stream, bool pdl) {
  const int group = a.n_heads / a.n_kv_heads, per_block = kQueries / P;
  const dim3 grid(unsigned((a.max_rows * group + per_block - 1) / per_block), unsigned(a.num_splits),
                  unsigned(a.n_kv_heads));
  const size_t smem = v2_smem_bytes(a.head_dim, P);
  return vector_loads(a)
             ? launch_kernel(attention_split_v2_kernel<D, P, true>, grid, dim3(kThreads), smem, stream, pdl, a)
             : launch_kernel(attention_split_v2_kernel<D, P, false>, grid, dim3(kThreads), smem, stream, pdl, a);
}

template <int D>
cudaError_t launch_v2_for_group(const AttentionArgs& a, cudaStream_t stream, bool pdl) {
  return attention_v2_position_groups(a.n_heads / a.n_kv_heads) == 4 ? launch_split_v2<D, 4>(a, stream, pdl)
                                                                     : launch_split_v2<D, 1>(a, stream, pdl);
}

template <int D, int P>
cudaError_t set_v2_smem_both(int value) {
  const cudaError_t status =
      cudaFuncSetAttribute(attention_split_v2_kernel<D, P, true>, cudaFuncAttributeMaxDynamicSharedMemorySize, value);
  if (status != cudaSuccess) return status;
  return cudaFuncSetAttribute(attention_split_v2_kernel<D, P, false>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                              value);
}

template <int P>
cudaError_t set_v2_smem(int32_t head_dim, int value) {
  if (head_dim <= 64) return set_v2_smem_both<2, P>(value);
  if (head_dim <= 128) return set_v2_smem_both<4, P>(value);
  return set_v2_smem_both<8, P>(value);
}

}  // namespace

cudaError_t prepare_attention(int32_t head_dim) {
  if (head_dim <= 0 || head_dim > kAttentionMaxHeadDim || head_dim % 2 != 0) return cudaErrorInvalidValue;
  const size_t bytes = split_smem_bytes(head_dim);
  if (bytes <= 48 * 1024) return cudaSuccess;
  const int value = int(bytes);
  if (head_dim <= 64)
    return cudaFuncSetAttribute(attention_split_kernel<2>, cudaFuncAttributeMaxDynamicSharedMemorySize, value);
  if (head_dim <= 128)
    return cudaFuncSetAttribute(attention_split_kernel<4>, cudaFuncAttributeMaxDynamicSharedMemorySize, value);
  return cudaFuncSetAttribute(attention_split_kernel<8>, cudaFuncAttributeMaxDynamicSharedMemorySize, value);
}

size_t attention_v2_smem_bytes(int32_t head_dim, int32_t group) {
  return v2_smem_bytes(head_dim, attention_v2_position_groups(group));
}

cudaError_t prepare_attention_v2(int32_t head_dim, int32_t group) {
  if (head_dim <= 0 || head_dim > kAttentionMaxHeadDim || head_dim % 2 != 0 || group <= 0) return cudaErrorInvalidValue;
  const size_t bytes = attention_v2_smem_bytes(head_dim, group);
  if (bytes <= 48 * 1024) return cudaSuccess;
  int device = 0, limit = 0;
  cudaError_t status = cudaGetDevice(&device);
  if (status == cudaSuccess) status = cudaDeviceGetAttribute(&limit, cudaDevAttrMaxSharedMemoryPerBlockOptin, device);
  if (status != cudaSuccess) return status;
  if (bytes > size_t(limit)) return cudaErrorInvalidValue;
  return attention_v2_position_groups(group) == 4 ? set_v2_smem<4>(head_dim, int(bytes))
                                                  : set_v2_smem<1>(head_dim, int(bytes));
}

cudaError_t launch_attention(const AttentionArgs& a, cudaStream_t stream, const LaunchOptions& options) {
  if (!a.q || !a.k_cache || !a.v_cache || !a.length || !a.partial_o || !a.partial_ml || !a.out || a.n_heads <= 0 ||
      a.n_kv_heads <= 0 || a.n_heads % a.n_kv_heads != 0 || a.head_dim <= 0 || a.head_dim % 2 != 0 ||
      a.head_dim > kAttentionMaxHeadDim || a.max_rows <= 0 || a.max_rows > a.partial_rows || a.chunk <= 0 ||
      a.chunk % kTile != 0 || a.num_splits <= 0 || a.num_splits > kAttentionMaxSplits ||
      a.ld_out < a.n_heads * a.head_dim || a.version < 0 || a.version > 2) {
    return cudaErrorInvalidValue;
  }
  const bool v2 = a.version == 2;
  cudaError_t status =
      a.head_dim <= 64 ? (v2 ? launch_v2_for_group<2>(a, stream, options.pdl) : launch_split<2>(a, stream, options.pdl))
      : a.head_dim <= 128
          ? (v2 ? launch_v2_for_group<4>(a, stream, options.pdl) : launch_split<4>(a, stream, options.pdl))
          : (v2 ? launch_v2_for_group<8>(a, stream, options.pdl) : launch_split<8>(a, stream, options.pdl));
  if (status != cudaSuccess) return status;
  const unsigned blocks = unsigned((int64_t(a.max_rows) * a.n_heads + kThreads / 32 - 1) / (kThreads / 32));
  return launch_kernel(attention_combine_kernel, dim3(blocks), dim3(kThreads), 0, stream, options.pdl, a);
}

}  // namespace cllm::cuda
