// Causal attention of n query rows over the KV cache (flash-decoding style), grouped-query aware.
// CPU twin: cpu::attention_rows.
//
// Row r sits at position L + r and sees cache positions 0..L+r (its own block's keys were written
// into the cache by the RoPE kernel just before). The cache is split into chunks of positions; one
// thread block handles one chunk of one KV head for up to 16 query vectors (rows x the query heads
// that share the KV head), streams the chunk's keys and values through shared memory once, and keeps
// an online softmax per query. A second kernel merges the chunks in chunk order. Everything that
// decides a row's arithmetic (chunk size, tile starts, lane assignment) depends only on the row's
// position, so a row's output is the same whatever the number of rows: Jacobi and AR agree.
//
// The KV cache is bf16 (half the bytes of fp32 on the path that grows with the context); scores,
// softmax and the output accumulate in fp32.
//
// version 2 (CLLM_CUDA_ATTN_V2, off by default; attention_v2_plan.hpp): 16-byte loads of the cache,
// warps over positions when a KV head has fewer than 4 query vectors per row, blocks of the same
// chunk launched next to each other (they share the chunk through L2), and the session picks a finer
// chunk (attention_v2_chunk) so that short contexts fill the SMs. Same merge kernel.
#pragma once

#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "launch_options.cuh"
#include "layout.hpp"

namespace cllm::cuda {

struct AttentionArgs {
  const float* q;                // [rows][n_heads][head_dim], rotated
  const __nv_bfloat16* k_cache;  // this layer's cache, [capacity][n_kv_heads * head_dim]
  const __nv_bfloat16* v_cache;
  const int32_t* length;                  // device int: position of row 0
  const int32_t* active_rows;             // device int, or nullptr for max_rows
  int32_t max_rows;                       // rows the launch is sized for (<= partial_rows)
  int32_t n_heads, n_kv_heads, head_dim;  // head_dim even, <= kAttentionMaxHeadDim
  int32_t chunk;                          // attention_chunk(capacity)
  int32_t num_splits;                     // attention_splits(capacity)
  float* partial_o;                       // [num_splits][partial_rows * n_heads][head_dim]
  float* partial_ml;                      // [num_splits][partial_rows * n_heads][2]: running max and sum
  int32_t partial_rows;
  __nv_bfloat16* out;  // [rows][ld_out], head h at columns h*head_dim..
  int32_t ld_out;
  float scale;      // 1 / sqrt(head_dim)
  int32_t version;  // 0 or 1: the first variant; 2: the second (chunk from attention_v2_chunk)
};

// Raises the shared-memory limit of the kernel variant for head_dim when it needs more than 48 KB.
// Call once before launching (and before capturing a graph that launches it).
cudaError_t prepare_attention(int32_t head_dim);
// The same for the second variant (its shared memory depends on head_dim and the group size too);
// cudaErrorInvalidValue when the device cannot give a block that much shared memory.
cudaError_t prepare_attention_v2(int32_t head_dim, int32_t group);
// Shared memory bytes one block of the second variant uses.
size_t attention_v2_smem_bytes(int32_t head_dim, int32_t group);

// options.pdl: both kernels (split and merge) with programmatic dependent launch.
cudaError_t launch_attention(const AttentionArgs& args, cudaStream_t stream,
                             const LaunchOptions& options = LaunchOptions{});

}  // namespace cllm::cuda
