// Causal attention over the KV cache (per-ISA source).
//
// Work items are (kv head, tile of queries): the queries of one kv head are all rows times the query
// heads of its group (grouped-query attention shares a kv head between `group` query heads), so one
// pass over a kv head's keys and values serves all of them. Scores: the keys are panel-packed by
// position (isa.hpp), so q . k for 16 positions at once is the matmul micro-kernel (panel_tile.hpp)
// with queries as the "tokens". Softmax: vector exp per query row. Values: broadcast form again, a
// few queries at a time share each loaded value row. Every query sees positions 0..first_position + r
// (causal inside the block); a tile works up to its longest visibility, with zero weights past each
// query's own end.
#include "kernels_impl.hpp"
#include "panel_tile.hpp"
#include "simd.hpp"

namespace cllm::cpu::CLLM_ISA_NS {
namespace {

constexpr int Q = kTileTokens, V = kTilePanels;
#if defined(__AVX512F__)
constexpr int kValueQueries = 4;  // 4 queries x 4 vectors of accumulators
#else
constexpr int kValueQueries = 2;
#endif
constexpr int kValueVectors = 4;  // vectors of head_dim per pass

inline int32_t min32(int32_t a, int32_t b) { return a < b ? a : b; }

// s[0..n) = softmax(s[0..n)) (the reference's order: exp(s - max), then normalised by the sum).
void softmax(float* s, int32_t n) {
  vf m = splat(-__builtin_inff());
  int32_t t = 0;
  for (; t + W <= n; t += W) m = vmax(load(s + t), m);
  float max_score = hmax(m);
  for (; t < n; ++t) max_score = s[t] > max_score ? s[t] : max_score;
  vf sum = zero();
  for (t = 0; t + W <= n; t += W) {
    const vf e = vexp(load(s + t) - max_score);
    store(s + t, e);
    sum += e;
  }
  if (t < n) {
    const vf e = keep_first(vexp(load_partial(s + t, n - t) - max_score), n - t);
    store_partial(s + t, e, n - t);
    sum += e;
  }
  const vf inv = splat(1.0f / hsum(sum));
  for (t = 0; t + W <= n; t += W) store(s + t, load(s + t) * inv);
  if (t < n) store_partial(s + t, load_partial(s + t, n - t) * inv, n - t);
}

// out[i][0..D*W) = sum_t p[i][t] * v[t][0..D*W) for i < QN; the last vector holds `last` lanes.
template <int QN, int D>
__attribute__((noinline)) void value_tile(float* const* out, const float* const* p, int32_t n, const float* v,
                                          int64_t kv_dim, int last) {
  vf acc[QN][D];
#pragma GCC unroll 16
  for (int i = 0; i < QN; ++i) {
#pragma GCC unroll 8
    for (int d = 0; d < D; ++d) acc[i][d] = zero();
  }
  if (last == W) {
    for (int32_t t = 0; t < n; ++t) {
      vf vv[D];
#pragma GCC unroll 8
      for (int d = 0; d < D; ++d) vv[d] = load(v + t * kv_dim + d * W);
#pragma GCC unroll 16
      for (int i = 0; i < QN; ++i) {
        const vf pb = splat(p[i][t]);
#pragma GCC unroll 8
        for (int d = 0; d < D; ++d) acc[i][d] += pb * vv[d];
      }
    }
  } else {  // head_dim not a multiple of W: the last vector is a masked load
    for (int32_t t = 0; t < n; ++t) {
      vf vv[D];
#pragma GCC unroll 8
      for (int d = 0; d < D; ++d)
        vv[d] = d + 1 < D ? load(v + t * kv_dim + d * W) : load_partial(v + t * kv_dim + d * W, last);
#pragma GCC unroll 16
      for (int i = 0; i < QN; ++i) {
        const vf pb = splat(p[i][t]);
#pragma GCC unroll 8
        for (int d = 0; d < D; ++d) acc[i][d] += pb * vv[d];
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < QN; ++i) {
#pragma GCC unroll 8
    for (int d = 0; d < D; ++d) {
      if (d + 1 < D || last == W)
        store(out[i] + d * W, acc[i][d]);
      else
        store_partial(out[i] + d * W, acc[i][d], last);
    }
  }
}

// value_tile<queries, vectors> for run-time 1 <= queries <= QN, 1 <= vectors <= D.
template <int QN, int D>
void value_tile_upto(int queries, int vectors, float* const* out, const float* const* p, int32_t n, const float* v,
                     int64_t kv_dim, int last) {
  if constexpr (D > 1) {
    if (vectors < D) return value_tile_upto<QN, D - 1>(queries, vectors, out, p, n, v, kv_dim, last);
  }
  if constexpr (QN > 1) {
    if (queries < QN) return value_tile_upto<QN - 1, D>(queries, vectors, out, p, n, v, kv_dim, last);
  }
  value_tile<QN, D>(out, p, n, v, kv_dim, last);
}

}  // namespace

void attention(float* out, const float* q, const float* k_packed, int64_t k_head_stride, const float* v_cache,
               int32_t rows, int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t first_position,
               float* scores) {
  const int32_t group = n_heads / n_kv_heads;
  const int64_t kv_dim = int64_t(n_kv_heads) * head_dim;
  const int32_t span = first_position + rows;
  const float scale = 1.0f / __builtin_sqrtf(float(head_dim));
  const int32_t queries = rows * group;  // per kv head
  const int32_t tiles = (queries + Q - 1) / Q;
  const int32_t jobs = n_kv_heads * tiles;
  parallel_ranges(jobs, int64_t(rows) * n_heads * span * head_dim, [&](int64_t first_job, int64_t end_job) {
    for (int32_t job = int32_t(first_job); job < int32_t(end_job); ++job) {
      const int32_t kvh = job / tiles, j0 = (job % tiles) * Q, count = min32(Q, queries - j0);
      const float* qp[Q];
      float* sp[Q];
      float* op[Q];
      int32_t visible[Q];
      int32_t longest = 0;
      for (int i = 0; i < Q; ++i) {
        const int32_t j = j0 + (i < count ? i : 0);
        const int32_t r = j / group, h = kvh * group + j % group;
        qp[i] = q + (int64_t(r) * n_heads + h) * head_dim;
        sp[i] = scores + (int64_t(r) * n_heads + h) * span;
        op[i] = out + (int64_t(r) * n_heads + h) * head_dim;
        visible[i] = first_position + r + 1;
        longest = visible[i] > longest ? visible[i] : longest;
      }
      // Scores, V panels (V * 16 positions) at a time.
      const float* k_head = k_packed + kvh * k_head_stride;
      const int64_t panel_floats = int64_t(head_dim) * kPanel;
      const int32_t panels = (longest + kPanel - 1) / kPanel;
      for (int32_t pb = 0; pb < panels; pb += V) {
        const int32_t np = min32(V, panels - pb);
        const float* pp[V];
        for (int v = 0; v < V; ++v) pp[v] = k_head + (pb + (v < np ? v : 0)) * panel_floats;
        alignas(64) float res[Q * V * kPanel];
        panel_tile_upto<Q, V>(count, np, pp, qp, head_dim, res, nullptr, 1);
        const int32_t t0 = pb * kPanel;
        for (int32_t i = 0; i < count; ++i) {
          const int32_t n = min32(np * kPanel, visible[i] - t0);
          for (int32_t t = 0; t < n; ++t) sp[i][t0 + t] = res[i * np * kPanel + t] * scale;
        }
      }
      for (int32_t i = 0; i < count; ++i) {
        softmax(sp[i], visible[i]);
        for (int32_t t = visible[i]; t < longest; ++t) sp[i][t] = 0.0f;  // beyond its causal end: no weight
      }
      // Weighted values, kValueQueries queries and kValueVectors vectors of head_dim at a time.
      const float* v_head = v_cache + int64_t(kvh) * head_dim;
      for (int32_t i0 = 0; i0 < count; i0 += kValueQueries) {
        const int32_t qn = min32(kValueQueries, count - i0);
        int32_t n = 0;
        for (int32_t i = i0; i < i0 + qn; ++i) n = visible[i] > n ? visible[i] : n;
        for (int32_t d0 = 0; d0 < head_dim; d0 += kValueVectors * W) {
          const int32_t width = min32(kValueVectors * W, head_dim - d0);
          const int vectors = (width + W - 1) / W, last = width - (vectors - 1) * W;
          float* o[kValueQueries];
          const float* p[kValueQueries];
          for (int i = 0; i < kValueQueries; ++i) {
            const int32_t k = i0 + (i < qn ? i : 0);
            o[i] = op[k] + d0;
            p[i] = sp[k];
          }
          value_tile_upto<kValueQueries, kValueVectors>(qn, vectors, o, p, n, v_head + d0, kv_dim, last);
        }
      }
    }
  });
}

}  // namespace cllm::cpu::CLLM_ISA_NS
