// The CPU backend's kernels with fp32 weights. These are also the reference ("CPU twin") for the CUDA
// kernels: each CUDA kernel family has one function here with the same contract. The bf16 and Q8_0 weight
// types: weight_packing.hpp (layouts) and weight_matmul.hpp (matmuls).
//
// Each function runs the kernels of the ISA chosen at run time (isa.hpp: the AVX-512 levels, AVX2 or
// generic; CLLM_CPU_ISA forces one). Sources: one kernel family per file (matmul_packed.cpp,
// matmul_bf16.cpp, matmul_q8.cpp, attention.cpp, rmsnorm.cpp, rope.cpp, swiglu.cpp, argmax.cpp), each
// compiled once per ISA. Results agree with a
// plain scalar loop to fp32 rounding (fused multiply-adds, vector sums), not bit for bit; argmax is
// exact. Every output of the matmuls and attention is accumulated in one vector lane in a fixed order,
// so a row's result does not depend on how many rows are in the call (a block forward equals
// token-by-token forwards bit for bit on one ISA), nor on the thread count: the thread pool
// (thread_pool.hpp) splits outputs among threads, never a sum.
#pragma once

#include <cstdint>

namespace cllm::cpu {

// out[r][o] = sum_i x[r][i] * w[o][i] for r < rows, o < out_features. Weights are read once per call,
// so a block of rows costs about one pass over w (the decode-time shape: few rows, a big matrix).
// These take plain row-major weights and pack them per call; the backend uses the _packed forms.
void matmul_rows(float* out, const float* x, const float* w, int32_t rows, int32_t in_features, int32_t out_features);
// Same, adding into out (residual connections).
void matmul_rows_accumulate(float* out, const float* x, const float* w, int32_t rows, int32_t in_features,
                            int32_t out_features);
// The SwiGLU feed-forward's first half in one pass over x: out[r][j] = silu(x[r] . w_gate[j]) *
// (x[r] . w_up[j]) for j < hidden (equal to two matmul_rows then swiglu_rows, without the up buffer).
void matmul_rows_swiglu(float* out, const float* x, const float* w_gate, const float* w_up, int32_t rows,
                        int32_t in_features, int32_t hidden);

// Panel packing (the CPU backend stores every matrix this way; isa.hpp describes the layout): a
// [rows, cols] row-major matrix as panels of 16 rows stored column by column.
int64_t packed_size(int32_t rows, int32_t cols);  // floats, including the last panel's zero rows
void pack_rows(float* packed, const float* w, int32_t rows, int32_t cols);
void unpack_row(float* row, const float* packed, int32_t r, int32_t cols);  // row r of the matrix
// matmul_rows (or matmul_rows_accumulate) with the weights panel-packed: the backend's fast path.
void matmul_rows_packed(float* out, const float* x, const float* w_packed, int32_t rows, int32_t in_features,
                        int32_t out_features, bool accumulate);
// matmul_rows_swiglu with both matrices panel-packed.
void matmul_rows_swiglu_packed(float* out, const float* x, const float* gate_packed, const float* up_packed,
                               int32_t rows, int32_t in_features, int32_t hidden);

// out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * weight, per row of width dim.
void rmsnorm_rows(float* out, const float* x, const float* weight, int32_t rows, int32_t dim, float eps);

// Rotary embedding in Hugging Face's layout (dimension i pairs with i + head_dim/2), in place, for
// rows at positions first_position + r; x[r] holds n_heads heads of head_dim.
void rope_rows(float* x, int32_t rows, int32_t n_heads, int32_t head_dim, int32_t first_position, float theta);
// The same in two steps, so that a forward computes the cosines and sines once for all layers:
// rope_table fills cos_sin[r] (head_dim floats per row: head_dim/2 cosines, then head_dim/2 sines) for
// positions first_position + r, exactly as rope_rows computes them; rope_rows_table applies them.
void rope_table(float* cos_sin, int32_t rows, int32_t head_dim, int32_t first_position, float theta);
void rope_rows_table(float* x, int32_t rows, int32_t n_heads, int32_t head_dim, const float* cos_sin);

// gate[r][j] = silu(gate[r][j]) * up[r][j].
void swiglu_rows(float* gate, const float* up, int32_t rows, int32_t hidden);

// Causal attention of `rows` queries at positions first_position + r over keys/values at positions
// 0..first_position + r of the cache (k_cache/v_cache: [position][n_kv_heads * head_dim]).
// out[r] holds n_heads heads. scores: scratch of rows * n_heads * (first_position + rows) floats.
// (Packs the keys per call; the backend keeps its key cache packed: attention_rows_packed.)
void attention_rows(float* out, const float* q, const float* k_cache, const float* v_cache, int32_t rows,
                    int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t first_position, float* scores);
// The backend's key cache layout (isa.hpp): per kv head a panel-packed [positions, head_dim] matrix,
// heads k_head_stride(capacity, head_dim) floats apart. store_keys writes the keys of positions
// first_position + r (k_rows: [rows][n_kv_heads * head_dim]) into it; positions past the cached ones
// must not be read, but stay finite (a panel is zeroed when its first position is written).
int64_t k_head_stride(int32_t capacity, int32_t head_dim);
void store_keys(float* k_packed, int64_t head_stride, const float* k_rows, int32_t rows, int32_t n_kv_heads,
                int32_t head_dim, int32_t first_position);
void attention_rows_packed(float* out, const float* q, const float* k_packed, int64_t head_stride, const float* v_cache,
                           int32_t rows, int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t first_position,
                           float* scores);

// Row-wise argmax, ties to the lowest index.
void argmax_rows(int32_t* out, const float* x, int32_t rows, int32_t cols);

}  // namespace cllm::cpu
