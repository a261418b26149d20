// Rotary embedding (Hugging Face rotate_half layout: dimension i pairs with i + head_dim/2) applied to
// the fused QKV projection, fused with the KV-cache write: one pass reads q, k and v of each token and
// writes the rotated queries (fp32) and the rotated keys and the values into the bf16 cache at the
// token's position. CPU twin: cpu::rope_rows on q and k, plus the cache copy of the CPU forward.
#pragma once

#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "launch_options.cuh"

namespace cllm::cuda {

struct RopeKvArgs {
  const float* qkv;  // [rows][ld_qkv]: q (n_heads*head_dim), then k, then v (n_kv_heads*head_dim each)
  int32_t ld_qkv;
  int32_t n_heads, n_kv_heads, head_dim;
  const float* inv_freq;       // [head_dim/2]: theta^(-2i/head_dim), computed on the host as the CPU does
  const int32_t* length;       // device int: position of row 0 (the session length)
  const int32_t* active_rows;  // device int, or nullptr for max_rows
  int32_t max_rows;
  float* q_out;            // [rows][n_heads][head_dim]
  __nv_bfloat16* k_cache;  // this layer's cache, [capacity][n_kv_heads*head_dim]
  __nv_bfloat16* v_cache;
  int32_t capacity;  // rows whose position would reach capacity are skipped (never happens via the ABI)
  // Optional (CLLM_CUDA_ROPE_TABLE): (cos, sin) per position and pair, [capacity][head_dim/2], filled by
  // launch_rope_table; nullptr computes them per pair (the same values, rope_table.hpp).
  const float2* cos_sin;
};

// One block per row, or options.spread blocks per row (each rotates a slice of the row's pairs and
// copies a slice of its values; row_spread.hpp). options.pdl: programmatic dependent launch.
cudaError_t launch_rope_kv(const RopeKvArgs& args, cudaStream_t stream, const LaunchOptions& options = LaunchOptions{});

// Fills table[rope_table_index(p, i, half)] = (cos, sin) of the angle of pair i at position p for
// positions 0..positions-1, with the code the RoPE kernel uses per pair (so both give the same bits).
cudaError_t launch_rope_table(float2* table, int32_t positions, const float* inv_freq, int32_t head_dim,
                              cudaStream_t stream);

}  // namespace cllm::cuda
