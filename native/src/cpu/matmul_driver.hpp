// The loop around a matmul micro-kernel, shared by the weight types (per-ISA sources only, like simd.hpp):
// which tiles of panels each thread computes, token chunks, prefetching the next tile's panels, and
// writing (or adding) the results. The micro-kernel and the packed layout come from a Kind:
//
//   struct Kind {
//     static constexpr int T, V;   // tile: up to T token rows x V panels (matmul)
//     static constexpr int TS;     // token rows of a SwiGLU tile (one gate and one up panel)
//     static int64_t panel_bytes(int32_t in_features);
//     // res[t * panels * kPanel + j] for t < tokens, j < panels * kPanel: the dot products of token row
//     // x[t] with the rows of the panels p[0..panels); prefetch (nullptr or V pointers) as panel_tile.
//     static void tile(int tokens, int panels, const void* const* p, const void* const* x, int32_t in_features,
//                      float* res, const void* const* prefetch, int32_t every);
//     // The same with panels == 2 and up to TS token rows.
//     static void tile_swiglu(int tokens, const void* const* p, const void* const* x, int32_t in_features,
//                             float* res, const void* const* prefetch, int32_t every);
//   };
//
// Work split: tiles of V panels in contiguous ranges, one parallel_for (thread_pool.hpp) per call, so a
// panel's outputs are computed whole by one thread in the micro-kernel's fixed order: results do not
// depend on the thread count, nor on how many token rows the call has. A panel is read from memory once
// per call (the first token tile brings it in, later token tiles find it in L2), and the next tile's
// panels are prefetched meanwhile, each token tile taking its share of the lines.
#pragma once

#include "kernels_impl.hpp"
#include "simd.hpp"

namespace cllm::cpu::CLLM_ISA_NS {
namespace {

inline int32_t min32(int32_t a, int32_t b) { return a < b ? a : b; }

// Token rows per chunk: a chunk's activations stay in L2 (about 1 MB) while all panels pass over them.
inline int32_t token_chunk(int32_t in_features, int32_t n, int32_t tile) {
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

inline const void* offset(const void* p, int64_t bytes) { return static_cast<const uint8_t*>(p) + bytes; }

// The part of the next panel token tile q of `tiles` prefetches: lines [q * L / tiles, ...) of its L lines.
inline const void* prefetch_share(const void* next_panel, int64_t panel_bytes, int32_t q, int32_t tiles) {
  return offset(next_panel, panel_bytes / 64 * q / tiles * 64);
}

// The segment of a tile of matmul_tiles, its V panel pointers (repeating the first past the segment's
// end), first output row, valid outputs and panels.
template <int V>
const MatmulSegment& locate(const MatmulSegment* segments, const int64_t* first_tile, int64_t tile, int64_t panel_bytes,
                            const void** p, int32_t* o0, int32_t* outputs, int32_t* panels) {
  int32_t s = 0;
  while (tile >= first_tile[s + 1]) ++s;
  const MatmulSegment& seg = segments[s];
  const int32_t first_panel = int32_t(tile - first_tile[s]) * V;
  *o0 = first_panel * kPanel;
  *outputs = min32(V * kPanel, seg.rows - *o0);
  *panels = (*outputs + kPanel - 1) / kPanel;
  for (int v = 0; v < V; ++v) p[v] = offset(seg.w, (first_panel + (v < *panels ? v : 0)) * panel_bytes);
  return seg;
}

template <class Kind>
void matmul_tiles(const MatmulSegment* segments, int32_t n_segments, const void* x, int64_t ld_bytes, int32_t n,
                  int32_t in_features) {
  constexpr int T = Kind::T, V = Kind::V, kMaxSegments = 4;
  if (n_segments > kMaxSegments) {  // more than the fused projections need: a few at a time
    matmul_tiles<Kind>(segments, kMaxSegments, x, ld_bytes, n, in_features);
    return matmul_tiles<Kind>(segments + kMaxSegments, n_segments - kMaxSegments, x, ld_bytes, n, in_features);
  }
  const int64_t panel_bytes = Kind::panel_bytes(in_features);
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
        const void* p[V];
        int32_t o0, outputs, panels;
        const MatmulSegment& seg = locate<V>(segments, first_tile, tile, panel_bytes, p, &o0, &outputs, &panels);
        // The next tile's panels are prefetched while this one computes, spread over all token tiles,
        // so that memory streams during the whole tile instead of stalling its first token tile only.
        const void* next[V];
        const bool prefetch = tile + 1 < end;
        if (prefetch) {
          int32_t o1, outputs1, panels1;
          locate<V>(segments, first_tile, tile + 1, panel_bytes, next, &o1, &outputs1, &panels1);
        }
        for (int32_t t = 0, q = 0; t < tokens; t += T, ++q) {
          const int32_t tt = min32(T, tokens - t);
          const void* xr[T];
          for (int i = 0; i < T; ++i) xr[i] = offset(x, int64_t(t0 + t + (i < tt ? i : 0)) * ld_bytes);
          const void* share[V];
          for (int v = 0; v < V; ++v)
            share[v] = prefetch ? prefetch_share(next[v], panel_bytes, q, token_tiles) : nullptr;
          alignas(64) float res[T * V * kPanel];
          Kind::tile(tt, panels, p, xr, in_features, res, prefetch ? share : nullptr, token_tiles);
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
// same 16 outputs, so SiLU and the product happen on the tile's results directly.
template <class Kind>
void matmul_swiglu_tiles(float* out, const void* x, int64_t ld_bytes, const void* w_gate, const void* w_up, int32_t n,
                         int32_t in_features, int32_t hidden) {
  constexpr int T = Kind::TS;
  const int64_t panel_bytes = Kind::panel_bytes(in_features);
  const int32_t panels = (hidden + kPanel - 1) / kPanel;
  const int32_t chunk = token_chunk(in_features, n, T);
  parallel_ranges(panels, int64_t(hidden) * 2 * in_features * n, [&](int64_t begin, int64_t end) {
    for (int32_t t0 = 0; t0 < n; t0 += chunk) {
      const int32_t tokens = min32(chunk, n - t0);
      const int32_t token_tiles = (tokens + T - 1) / T;
      for (int64_t panel = begin; panel < end; ++panel) {
        const void* p[2] = {offset(w_gate, panel * panel_bytes), offset(w_up, panel * panel_bytes)};
        const bool prefetch = panel + 1 < end;
        const int32_t o0 = int32_t(panel) * kPanel, outputs = min32(kPanel, hidden - o0);
        for (int32_t t = 0, q = 0; t < tokens; t += T, ++q) {
          const int32_t tt = min32(T, tokens - t);
          const void* xr[T];
          for (int i = 0; i < T; ++i) xr[i] = offset(x, int64_t(t0 + t + (i < tt ? i : 0)) * ld_bytes);
          const void* next[2] = {prefetch_share(offset(w_gate, (panel + 1) * panel_bytes), panel_bytes, q, token_tiles),
                                 prefetch_share(offset(w_up, (panel + 1) * panel_bytes), panel_bytes, q, token_tiles)};
          alignas(64) float res[T * 2 * kPanel];
          Kind::tile_swiglu(tt, p, xr, in_features, res, prefetch ? next : nullptr, token_tiles);
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

}  // namespace
}  // namespace cllm::cpu::CLLM_ISA_NS
