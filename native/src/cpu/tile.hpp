// The register-blocked micro-kernel shared by the matmuls and attention's query-key scores (per-ISA
// sources only, like simd.hpp).
//
// Weights are row-major [out, in] and activations [token, in], so both operands of every dot product
// are contiguous: the kernel keeps R x T vector accumulators (R weight rows x T token rows) and, per
// step of W input features, loads each of the R weight vectors once and each of the T activation
// vectors once for R * T fused multiply-adds. A weight row chunk is thus read once for T tokens, and the
// R rows (R * in * 4 bytes, 12 KB for in = 768) stay in L1 while the caller walks all token tiles: a
// block of n tokens streams the weights from memory once. Each accumulator is summed across its lanes
// at the end (for the AVX-512 4 x 4 tile with one transpose-and-add tree, 15 shuffle-add pairs for 16
// sums).
#pragma once

#include "simd.hpp"

namespace cllm::cpu::CLLM_ISA_NS {
namespace {

// Tile shape per ISA: R weight rows x T token rows. R * T accumulators + T activation vectors + one
// weight vector must fit the register file (32 zmm with AVX-512, 16 ymm / xmm otherwise).
#if defined(__AVX512F__)
constexpr int kTileRows = 4, kTileTokens = 4;
#elif defined(__AVX2__)
constexpr int kTileRows = 4, kTileTokens = 3;
#else
constexpr int kTileRows = 4, kTileTokens = 2;
#endif

// res[t * R + r] = sum over lanes of acc[r][t].
template <int R, int T>
inline void reduce_tile(const vf (&acc)[R][T], float* res) {
#if defined(__AVX512F__)
  if constexpr (R == 4 && T == 4) {
    // Transpose-and-add tree over a_i = acc[r][t], i = 4r + t. Each level pairs vectors and halves the
    // lanes per partial sum: 16 x 16 lanes -> 8 x (2 x 8) -> 4 x (4 x 4) -> 2 x (8 x 2) -> 1 x 16.
    // The final lane 4L + e holds a_{4e + L}, i.e. lane 4t + r holds acc[r][t]: res in [t][r] order.
    const vf* a = &acc[0][0];
    __m512 s[8], u[4], p[2];
    for (int j = 0; j < 8; ++j) {
      const __m512 x = (__m512)a[2 * j], y = (__m512)a[2 * j + 1];
      s[j] = _mm512_add_ps(_mm512_shuffle_f32x4(x, y, 0x44), _mm512_shuffle_f32x4(x, y, 0xEE));
    }
    for (int j = 0; j < 4; ++j) {
      u[j] = _mm512_add_ps(_mm512_shuffle_f32x4(s[2 * j], s[2 * j + 1], 0x88),
                           _mm512_shuffle_f32x4(s[2 * j], s[2 * j + 1], 0xDD));
    }
    for (int j = 0; j < 2; ++j) {
      p[j] = _mm512_add_ps(_mm512_shuffle_ps(u[2 * j], u[2 * j + 1], 0x44),
                           _mm512_shuffle_ps(u[2 * j], u[2 * j + 1], 0xEE));
    }
    _mm512_storeu_ps(res, _mm512_add_ps(_mm512_shuffle_ps(p[0], p[1], 0x88), _mm512_shuffle_ps(p[0], p[1], 0xDD)));
    return;
  }
#endif
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) res[t * R + r] = hsum(acc[r][t]);
  }
}

template <int R, int T>
__attribute__((noinline)) void tile_prefetch(const float* const* w, const float* const* x, int32_t k, float* res,
                                             const float* const* next) {
  vf acc[R][T];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) acc[r][t] = zero();
  }
  int32_t i = 0;
  for (; i + W <= k; i += W) {
    vf xv[T];
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) xv[t] = load(x[t] + i);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      __builtin_prefetch(next[r] + i, 0, 2);  // prefetcht1: to L2, keeping L1 for this tile's operands
      const vf wv = load(w[r] + i);
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) acc[r][t] += wv * xv[t];
    }
  }
  if (i < k) {  // in_features not a multiple of W: one masked step, zeros in the unused lanes
    const int rest = k - i;
    vf xv[T];
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) xv[t] = load_partial(x[t] + i, rest);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const vf wv = load_partial(w[r] + i, rest);
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) acc[r][t] += wv * xv[t];
    }
  }
  reduce_tile<R, T>(acc, res);
}

// res[t * R + r] = dot(w[r][0..k), x[t][0..k)) for r < R, t < T. Not inlined: on its own the loop
// keeps all 2 R + T pointers and R * T accumulators in registers; inlined into the big OpenMP bodies,
// GCC spilled the row pointers of the 4 x 1 (decode) tile and reloaded them every step.
// next: nullptr, or R rows to pull towards L2 meanwhile (the caller's next weight block), one cache line
// per row per step, so the next block's memory latency overlaps this block's arithmetic.
template <int R, int T>
__attribute__((noinline)) void tile(const float* const* w, const float* const* x, int32_t k, float* res,
                                    const float* const* next) {
  if (next) return tile_prefetch<R, T>(w, x, k, res, next);
  vf acc[R][T];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) acc[r][t] = zero();
  }
  int32_t i = 0;
  for (; i + W <= k; i += W) {
    vf xv[T];
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) xv[t] = load(x[t] + i);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const vf wv = load(w[r] + i);
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) acc[r][t] += wv * xv[t];
    }
  }
  if (i < k) {  // in_features not a multiple of W: one masked step, zeros in the unused lanes
    const int rest = k - i;
    vf xv[T];
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) xv[t] = load_partial(x[t] + i, rest);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const vf wv = load_partial(w[r] + i, rest);
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) acc[r][t] += wv * xv[t];
    }
  }
  reduce_tile<R, T>(acc, res);
}

// tile<R, tokens> for a run-time token count 1 <= tokens <= T (the last, partial token tile).
template <int R, int T>
inline void tile_upto(int tokens, const float* const* w, const float* const* x, int32_t k, float* res,
                      const float* const* next = nullptr) {
  if constexpr (T > 1) {
    if (tokens < T) return tile_upto<R, T - 1>(tokens, w, x, k, res, next);
  }
  tile<R, T>(w, x, k, res, next);
}

}  // namespace
}  // namespace cllm::cpu::CLLM_ISA_NS
