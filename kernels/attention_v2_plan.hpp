// The second attention variant (CLLM_CUDA_ATTN_V2): how its thread blocks are arranged and how long a
// chunk of positions each handles. Plain C++ so the host test checks the rules.
//
// Arrangement. A block has 4 warps. With `position groups` P = 4 the 4 warps share the block's 4 query
// vectors and split the positions (warp w takes tiles w, w + 4, ... of the chunk) and merge their
// online-softmax states in warp order at the end; with P = 1 each warp owns 4 of the block's 16 query
// vectors and all warps walk every tile (the first variant's arrangement). P depends only on the model
// (queries per KV head, `group`): P = 4 when group < 4, i.e. when a block of the first variant would
// hold fewer than 4 query vectors at n = 1 and leave warps idle. A query's arithmetic depends only on
// its own position and the session's chunk, never on how many rows run with it, so Jacobi equals AR.
//
// Chunk. The chunk (positions per split) is fixed per session; it depends on the capacity, the head
// counts and the number of SMs, never on the length or the row count (the first variant's rule keeps
// 256 positions at short capacities, so a short context runs one split per KV head: 32 blocks on a 7B
// model, 4 on a 1B one). It is the largest multiple of P x 32 positions such that, at a context of
// kAttentionV2FillContext positions and one row, the split blocks cover every SM once; never finer than
// the partial buffers allow (kAttentionMaxSplits splits over the capacity).
#pragma once

#include <cstdint>

#include "layout.hpp"

namespace cllm::cuda {

constexpr int32_t kAttentionV2FillContext = 1024;

CLLM_HOST_DEVICE constexpr int32_t attention_v2_position_groups(int32_t group) { return group < 4 ? 4 : 1; }
// Query vectors per block: 4 per warp, 4 / P warps over queries.
CLLM_HOST_DEVICE constexpr int32_t attention_v2_queries_per_block(int32_t group) {
  return kAttentionQueriesPerBlock / attention_v2_position_groups(group);
}
// Positions one pass of a block covers: one tile of 32 per position group.
CLLM_HOST_DEVICE constexpr int32_t attention_v2_step(int32_t group) {
  return kAttentionTile * attention_v2_position_groups(group);
}

// Split blocks with work for `rows` rows at `context` cached positions (rows at positions context ..).
CLLM_HOST_DEVICE constexpr int64_t attention_v2_blocks(int32_t context, int32_t rows, int32_t chunk, int32_t n_kv_heads,
                                                       int32_t group) {
  const int64_t queries = int64_t(rows) * group, per_block = attention_v2_queries_per_block(group);
  const int64_t positions = int64_t(context) + rows;
  return int64_t(n_kv_heads) * ((queries + per_block - 1) / per_block) * ((positions + chunk - 1) / chunk);
}

CLLM_HOST_DEVICE constexpr int32_t attention_v2_chunk(int32_t capacity, int32_t n_kv_heads, int32_t group,
                                                      int32_t multiprocessors) {
  const int32_t step = attention_v2_step(group);
  const int64_t needed = (int64_t(capacity) + kAttentionMaxSplits - 1) / kAttentionMaxSplits;
  const int32_t finest = int32_t(round_up(needed < 1 ? 1 : needed, step));
  int32_t fill = step;
  for (int32_t chunk = step; chunk <= kAttentionV2FillContext; chunk += step) {
    if (attention_v2_blocks(kAttentionV2FillContext - 1, 1, chunk, n_kv_heads, group) >= multiprocessors) fill = chunk;
  }
  return finest > fill ? finest : fill;
}

CLLM_HOST_DEVICE constexpr int32_t attention_v2_splits(int32_t capacity, int32_t chunk) {
  return int32_t((int64_t(capacity) + chunk - 1) / chunk);
}

}  // namespace cllm::cuda
