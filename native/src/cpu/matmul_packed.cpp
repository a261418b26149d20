// Matmul over panel-packed weights (per-ISA source): the CPU backend's GEMM for every projection and
// the output head. isa.hpp describes the packing.
//
// Micro-kernel: panel_tile.hpp, with AVX-512 a tile of 8 token rows x 3 panels (48 outputs). A panel
// is read from memory once per call (the first token tile brings it in, later token tiles find it in
// L2), and the next tile's panels are prefetched meanwhile.
//
// Work split: tiles of V panels in contiguous ranges, one parallel_for (thread_pool.hpp) per call;
// small calls stay on the calling thread.
#include "kernels_impl.hpp"
#include "panel_tile.hpp"
#include "simd.hpp"

namespace cllm::cpu::CLLM_ISA_NS {
namespace {

constexpr int kTokens = kTileTokens, kPanels = kTilePanels;
// SwiGLU tiles are one gate and one up panel: T x 2 panels of accumulators.
#if defined(__AVX512F__)
constexpr int kSwigluTokens = 8;  // 16 zmm accumulators
#elif defined(__AVX2__)
constexpr int kSwigluTokens = 2;  // 8 ymm
#else
constexpr int kSwigluTokens = 1;  // 8 xmm
#endif
inline int32_t min32(int32_t a, int32_t b) { return a < b ? a : b; }

// Token rows per chunk: a chunk's activations stay in L2 (about 1 MB) while all panels pass over them.
int32_t token_chunk(int32_t in_features, int32_t n, int32_t tile) {
  int64_t chunk = (int64_t(1) << 18) / (in_features > 0 ? in_features : 1);
  chunk = chunk < tile ? tile : chunk - chunk % tile;
  return chunk < n ? int32_t(chunk) : n;
}

// out[0..count) = (accumulate ? out + v : v), count <= W.
inline void write(float* out, vf v, int count, bool accumulate) {
  if (count == W) {
    store(out, accumulate ? load(out) + v : v);
  } else {
    store_partial(out, accumulate ? load_partial(out, count) + v : v, count);
  }
}

// The segment of a tile of matmul_packed, its V panel pointers (repeating the first past the
// segment's end), first output row, valid outputs and panels.
const MatmulSegment& locate(const MatmulSegment* segments, const int64_t* first_tile, int64_t tile,
                            int64_t panel_floats, const float** p, int32_t* o0, int32_t* outputs, int32_t* panels) {
  int32_t s = 0;
  while (tile >= first_tile[s + 1]) ++s;
  const MatmulSegment& seg = segments[s];
  const int32_t first_panel = int32_t(tile - first_tile[s]) * kPanels;
  *o0 = first_panel * kPanel;
  *outputs = min32(kPanels * kPanel, seg.rows - *o0);
  *panels = (*outputs + kPanel - 1) / kPanel;
  for (int v = 0; v < kPanels; ++v) p[v] = seg.w + (first_panel + (v < *panels ? v : 0)) * panel_floats;
  return seg;
}

}  // namespace

void matmul_packed(const MatmulSegment* segments, int32_t n_segments, const float* x, int64_t ldx, int32_t n,
                   int32_t in_features) {
  constexpr int T = kTokens, V = kPanels, kMaxSegments = 4;
  if (n_segments > kMaxSegments) {  // more than the fused projections need: a few at a time
    matmul_packed(segments, kMaxSegments, x, ldx, n, in_features);
    return matmul_packed(segments + kMaxSegments, n_segments - kMaxSegments, x, ldx, n, in_features);
  }
  const int64_t panel_floats = int64_t(in_features) * kPanel;
  int64_t first_tile[kMaxSegments + 1];
  first_tile[0] = 0;
  int64_t total_rows = 0;
  for (int32_t s = 0; s < n_segments; ++s) {
    const int64_t panels = (segments[s].rows + kPanel - 1) / kPanel;
    first_tile[s + 1] = first_tile[s] + (panels + V - 1) / V;
    total_rows += segments[s].rows;
  }
  const int64_t tiles = first_tile[n_segments];
  const int32_t chunk = token_chunk(in_features, n, T);
  parallel_ranges(tiles, total_rows * in_features * n, [&](int64_t begin, int64_t end) {
    for (int32_t t0 = 0; t0 < n; t0 += chunk) {
      const int32_t tokens = min32(chunk, n - t0);
      const int32_t token_tiles = (tokens + T - 1) / T;
      for (int64_t tile = begin; tile < end; ++tile) {
        const float* p[V];
        int32_t o0, outputs, panels;
        const MatmulSegment& seg = locate(segments, first_tile, tile, panel_floats, p, &o0, &outputs, &panels);
        // The next tile's panels are prefetched while this one computes, spread over all token tiles,
        // so that memory streams during the whole tile instead of stalling its first token tile only.
        const float* next[V];
        const bool prefetch = tile + 1 < end;
        if (prefetch) {
          int32_t o1, outputs1, panels1;
          locate(segments, first_tile, tile + 1, panel_floats, next, &o1, &outputs1, &panels1);
        }
        for (int32_t t = 0, q = 0; t < tokens; t += T, ++q) {
          const int32_t tt = min32(T, tokens - t);
          const float* xr[T];
          for (int i = 0; i < T; ++i) xr[i] = x + int64_t(t0 + t + (i < tt ? i : 0)) * ldx;
          // Token tile q prefetches lines [q * k / Q, (q + 1) * k / Q) of each next panel.
          const float* share[V];
          for (int v = 0; v < V; ++v) share[v] = prefetch ? next[v] + int64_t(q) * in_features / token_tiles * kPanel : nullptr;
          alignas(64) float res[T * V * kPanel];
          panel_tile_upto<T, V>(tt, panels, p, xr, in_features, res, prefetch ? share : nullptr, token_tiles);
          // res rows are panels * kPanel wide (the tile's own V).
          for (int32_t i = 0; i < tt; ++i) {
            float* out = seg.out + int64_t(t0 + t + i) * seg.ld_out + o0;
            const float* r = res + i * panels * kPanel;
            for (int32_t j = 0; j < outputs; j += W) write(out + j, load(r + j), min32(W, outputs - j), seg.accumulate);
          }
        }
      }
    }
  });
}

// out[t][o] = silu(x[t] . gate[o]) * (x[t] . up[o]): a tile is one gate panel and the up panel of the
// same 16 outputs, so SiLU and the product happen on the tile's registers' results directly.
void matmul_packed_swiglu(float* out, const float* x, const float* w_gate, const float* w_up, int32_t n,
                          int32_t in_features, int32_t hidden) {
  constexpr int T = kSwigluTokens;
  const int64_t panel_floats = int64_t(in_features) * kPanel;
  const int32_t panels = (hidden + kPanel - 1) / kPanel;
  const int32_t chunk = token_chunk(in_features, n, T);
  parallel_ranges(panels, int64_t(hidden) * 2 * in_features * n, [&](int64_t begin, int64_t end) {
    for (int32_t t0 = 0; t0 < n; t0 += chunk) {
      const int32_t tokens = min32(chunk, n - t0);
      const int32_t token_tiles = (tokens + T - 1) / T;
      for (int64_t panel = begin; panel < end; ++panel) {
        const float* p[2] = {w_gate + panel * panel_floats, w_up + panel * panel_floats};
        const bool prefetch = panel + 1 < end;
        const int32_t o0 = int32_t(panel) * kPanel, outputs = min32(kPanel, hidden - o0);
        for (int32_t t = 0, q = 0; t < tokens; t += T, ++q) {
          const int32_t tt = min32(T, tokens - t);
          const float* xr[T];
          for (int i = 0; i < T; ++i) xr[i] = x + int64_t(t0 + t + (i < tt ? i : 0)) * in_features;
          const int64_t share = (panel + 1) * panel_floats + int64_t(q) * in_features / token_tiles * kPanel;
          const float* next[2] = {w_gate + share, w_up + share};
          alignas(64) float res[T * 2 * kPanel];
          panel_tile_upto<T, 2>(tt, 2, p, xr, in_features, res, prefetch ? next : nullptr, token_tiles);
          for (int32_t i = 0; i < tt; ++i) {
            float* row = out + int64_t(t0 + t + i) * hidden + o0;
            const float* g = res + i * 2 * kPanel;
            for (int32_t j = 0; j < outputs; j += W) {
              write(row + j, vsilu(load(g + j)) * load(g + kPanel + j), min32(W, outputs - j), false);
            }
          }
        }
      }
    }
  });
}

}  // namespace cllm::cpu::CLLM_ISA_NS
