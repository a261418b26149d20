// Causal attention over the KV cache (per-ISA source).
//
// Work items are (kv head, tile of queries): the queries of one kv head are all rows times the query
// heads of its group (grouped-query attention shares a kv head between `group` query heads), so one
// pass over a kv head's keys serves them all. Scores use the matmul micro-kernel with key positions as
// the "weight rows" and queries as the "tokens"; softmax and the weighted sum of values are vector
// loops per query. Each query sees positions 0..first_position + r (causal inside the block); a query
// tile computes scores up to the longest visibility in the tile and ignores the rest.
#include <omp.h>

#include "kernels_impl.hpp"
#include "simd.hpp"
#include "tile.hpp"

namespace cllm::cpu::CLLM_ISA_NS {
namespace {

constexpr int R = kTileRows, Q = kTileTokens;
constexpr int64_t kParallelWork = int64_t(1) << 16;

inline int32_t min32(int32_t a, int32_t b) { return a < b ? a : b; }

// s[0..n) = softmax(s[0..n)) (the reference's order: exp(s - max), then divide by the sum).
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

// out[0..head_dim) = sum_t p[t] * v[t][0..head_dim), v rows kv_dim apart. Four independent
// accumulators per chunk of W dimensions hide the multiply-add latency.
void weighted_values(float* out, const float* p, int32_t n, const float* v, int64_t kv_dim, int32_t head_dim) {
  for (int32_t d = 0; d < head_dim; d += W) {
    const int rest = min32(W, head_dim - d);
    vf a0 = zero(), a1 = zero(), a2 = zero(), a3 = zero();
    const float* vd = v + d;
    int32_t t = 0;
    if (rest == W) {
      for (; t + 4 <= n; t += 4) {
        a0 += p[t] * load(vd + t * kv_dim);
        a1 += p[t + 1] * load(vd + (t + 1) * kv_dim);
        a2 += p[t + 2] * load(vd + (t + 2) * kv_dim);
        a3 += p[t + 3] * load(vd + (t + 3) * kv_dim);
      }
      for (; t < n; ++t) a0 += p[t] * load(vd + t * kv_dim);
      store(out + d, (a0 + a1) + (a2 + a3));
    } else {
      for (; t < n; ++t) a0 += p[t] * load_partial(vd + t * kv_dim, rest);
      store_partial(out + d, a0, rest);
    }
  }
}

}  // namespace

void attention(float* out, const float* q, const float* k_cache, const float* v_cache, int32_t rows,
               int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t first_position, float* scores) {
  const int32_t group = n_heads / n_kv_heads;
  const int64_t kv_dim = int64_t(n_kv_heads) * head_dim;
  const int32_t span = first_position + rows;
  const float scale = 1.0f / __builtin_sqrtf(float(head_dim));
  const int32_t queries = rows * group;  // per kv head
  const int32_t tiles = (queries + Q - 1) / Q;
  const int32_t jobs = n_kv_heads * tiles;
  const int32_t threads = kernel_threads();
  const bool parallel = threads > 1 && jobs > 1 && int64_t(rows) * n_heads * span * head_dim >= kParallelWork;
#pragma omp parallel for schedule(static) num_threads(threads) if (parallel)
  for (int32_t job = 0; job < jobs; ++job) {
    const int32_t kvh = job / tiles, j0 = (job % tiles) * Q, count = min32(Q, queries - j0);
    const float* qp[Q];
    float* sp[Q];
    int32_t visible[Q];
    int32_t longest = 0;
    for (int i = 0; i < Q; ++i) {
      const int32_t j = j0 + (i < count ? i : 0);
      const int32_t r = j / group, h = kvh * group + j % group;
      qp[i] = q + (int64_t(r) * n_heads + h) * head_dim;
      sp[i] = scores + (int64_t(r) * n_heads + h) * span;
      visible[i] = first_position + r + 1;
      longest = visible[i] > longest ? visible[i] : longest;
    }
    const float* k_head = k_cache + int64_t(kvh) * head_dim;
    for (int32_t t0 = 0; t0 < longest; t0 += R) {
      const float* kp[R];
      for (int r = 0; r < R; ++r) kp[r] = k_head + int64_t(min32(t0 + r, longest - 1)) * kv_dim;
      float res[Q * R];
      tile_upto<R, Q>(count, kp, qp, head_dim, res);
      for (int32_t i = 0; i < count; ++i) {
        for (int r = 0; r < R; ++r) {
          if (t0 + r < visible[i]) sp[i][t0 + r] = res[i * R + r] * scale;
        }
      }
    }
    const float* v_head = v_cache + int64_t(kvh) * head_dim;
    for (int32_t i = 0; i < count; ++i) {
      softmax(sp[i], visible[i]);
      const int32_t j = j0 + i;
      const int32_t r = j / group, h = kvh * group + j % group;
      weighted_values(out + (int64_t(r) * n_heads + h) * head_dim, sp[i], visible[i], v_head, kv_dim, head_dim);
    }
  }
}

}  // namespace cllm::cpu::CLLM_ISA_NS
