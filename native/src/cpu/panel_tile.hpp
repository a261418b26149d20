// The broadcast-form micro-kernel over panel-packed matrices (per-ISA sources only, like simd.hpp):
// the matmuls (weights) and attention's query-key scores (the K cache) both use it.
//
// A tile is T rows of x ("tokens") times V panels (V * 16 columns of the packed matrix's rows). Each
// step along the shared dimension loads the V panel vectors once, broadcasts x[t][c] for each token and
// does T * V * 16 multiply-adds into T * V vector accumulators that stay in registers for the whole
// row: no horizontal sums. With AVX-512 (T = 8, V = 3) that is 3 vector loads + 8 broadcast loads per
// 24 FMAs, so the FMA units, not the load ports, set the pace (measured about 90% of the FMA peak
// with operands in cache), and the T rows of x stay in L1 while the panels stream by.
#pragma once

#include "isa.hpp"
#include "simd.hpp"

namespace cllm::cpu::CLLM_ISA_NS {
namespace {

constexpr int VP = kPanel / W;  // vectors per panel column

// The tile shape of the matmuls and the query-key scores: T tokens (rows of x) x V panels. The
// accumulators (T * V * VP vectors) plus V * VP panel vectors and one broadcast fit the registers
// (32 zmm with AVX-512, 16 ymm / xmm otherwise).
#if defined(__AVX512F__)
constexpr int kTileTokens = 8, kTilePanels = 3;
#elif defined(__AVX2__)
constexpr int kTileTokens = 6, kTilePanels = 1;
#else
constexpr int kTileTokens = 2, kTilePanels = 1;
#endif

// res[t * V * kPanel + j] = sum_c x[t][c] * panel_{j / kPanel}[c][j % kPanel] for t < T, j < V * kPanel.
// prefetch: nullptr, or V panel pointers of weights the caller needs next: one cache line of each is
// pulled into L2 every `every` column steps (see matmul_packed on why).
template <int T, int V>
__attribute__((noinline)) void panel_tile(const float* const* panels, const float* const* x, int32_t k, float* res,
                                          const float* const* prefetch, int32_t every) {
  constexpr int N = V * VP;
  vf acc[T][N];
#pragma GCC unroll 32
  for (int t = 0; t < T; ++t) {
#pragma GCC unroll 32
    for (int u = 0; u < N; ++u) acc[t][u] = zero();
  }
  const float* p[V];
  const float* pf[V];
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) {
    p[v] = panels[v];
    pf[v] = prefetch ? prefetch[v] : nullptr;
  }
  int32_t countdown = prefetch ? 1 : k + 1;  // never reaches 0 without a prefetch target
  for (int32_t c = 0; c < k; ++c) {
    if (--countdown == 0) {
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) {
        __builtin_prefetch(pf[v], 0, 2);  // prefetcht1: into L2
        pf[v] += kPanel;                  // one 64-byte line further
      }
      countdown = every;
    }
    vf wv[N];
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) {
#pragma GCC unroll 8
      for (int j = 0; j < VP; ++j) wv[v * VP + j] = load(p[v] + int64_t(c) * kPanel + j * W);
    }
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) {
      const vf xb = splat(x[t][c]);
#pragma GCC unroll 32
      for (int u = 0; u < N; ++u) acc[t][u] += xb * wv[u];
    }
  }
#pragma GCC unroll 32
  for (int t = 0; t < T; ++t) {
#pragma GCC unroll 32
    for (int u = 0; u < N; ++u) store(res + (t * V * VP + u) * W, acc[t][u]);
  }
}

// panel_tile<tokens, panels> for run-time 1 <= tokens <= T, 1 <= panels <= V.
template <int T, int V>
void panel_tile_upto(int tokens, int panels, const float* const* p, const float* const* x, int32_t k, float* res,
                     const float* const* prefetch, int32_t every) {
  if constexpr (V > 1) {
    if (panels < V) return panel_tile_upto<T, V - 1>(tokens, panels, p, x, k, res, prefetch, every);
  }
  if constexpr (T > 1) {
    if (tokens < T) return panel_tile_upto<T - 1, V>(tokens, panels, p, x, k, res, prefetch, every);
  }
  panel_tile<T, V>(p, x, k, res, prefetch, every);
}

}  // namespace
}  // namespace cllm::cpu::CLLM_ISA_NS
