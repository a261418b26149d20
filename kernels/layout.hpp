// Shapes and padding rules shared by the CUDA kernels and the host code that allocates their buffers.
// Plain C++ (no CUDA headers), so host-only tests can include it.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define CLLM_HOST_DEVICE __host__ __device__
#else
#define CLLM_HOST_DEVICE
#endif

namespace cllm::cuda {

// Most rows (tokens) one forward pass handles on the device. Jacobi windows are at most this wide;
// longer plain forwards run in chunks of this many rows (causal attention makes that exact).
constexpr int32_t kMaxRows = 64;

// The block GEMM reads the reduction dimension in chunks of 32 bf16 (four 16-byte loads per row of
// a thread quad), and the output dimension in tiles of 16 rows (one MMA M tile). Weights are stored
// with their rows padded to kGemmK elements and their row count padded to kGemmTileOut, both with
// zeros, so the kernel needs no bounds checks in its inner loop.
constexpr int32_t kGemmK = 32;
constexpr int32_t kGemmTileOut = 16;

CLLM_HOST_DEVICE constexpr int64_t round_up(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

// Leading dimension (elements) of a bf16 matrix or activation with `in` columns.
CLLM_HOST_DEVICE constexpr int32_t gemm_ld(int32_t in) { return int32_t(round_up(in, kGemmK)); }
// Stored rows of a weight matrix with `out` rows.
CLLM_HOST_DEVICE constexpr int32_t gemm_rows_padded(int32_t out) { return int32_t(round_up(out, kGemmTileOut)); }

// SwiGLU: gate and up projections are stored interleaved in tiles of 16 rows (8 gate rows, then the 8
// matching up rows), so that one thread of the GEMM epilogue holds gate[j] and up[j] for the same
// token and applies silu(gate) * up without another pass over memory.
CLLM_HOST_DEVICE constexpr int32_t swiglu_hidden_padded(int32_t hidden) { return int32_t(round_up(hidden, 8)); }
CLLM_HOST_DEVICE constexpr int64_t swiglu_gate_row(int64_t j) { return (j / 8) * 16 + j % 8; }
CLLM_HOST_DEVICE constexpr int64_t swiglu_up_row(int64_t j) { return (j / 8) * 16 + 8 + j % 8; }

// Attention over the KV cache is split into chunks of positions (flash-decoding): each chunk is one
// thread block per KV head, and a second kernel merges the chunks. The chunk depends only on the
// session capacity, never on the row count or the current length, so a captured graph stays valid
// and every row's result is the same whatever the window width.
constexpr int32_t kAttentionTile = 32;  // positions per shared-memory tile (one per lane)
constexpr int32_t kAttentionMaxSplits = 64;
CLLM_HOST_DEVICE constexpr int32_t attention_chunk(int32_t capacity) {
  const int64_t base = 256;
  const int64_t needed = (int64_t(capacity) + kAttentionMaxSplits - 1) / kAttentionMaxSplits;
  return int32_t(needed > base ? round_up(needed, kAttentionTile) : base);
}
CLLM_HOST_DEVICE constexpr int32_t attention_splits(int32_t capacity) {
  return int32_t((int64_t(capacity) + attention_chunk(capacity) - 1) / attention_chunk(capacity));
}
// Query vectors (row, head of a KV group) per attention thread block: 4 warps of 4.
constexpr int32_t kAttentionQueriesPerBlock = 16;
constexpr int32_t kAttentionMaxHeadDim = 256;

}  // namespace cllm::cuda
