// Matmul over panel-packed Q8_0 weights (per-ISA source). isa.hpp describes the layout, matmul_driver.hpp
// the loop around the micro-kernel below.
//
// Numerics (the same on every ISA, up to the order of fp32 rounding): each activation row is quantised
// once per matmul input (prepare), Q8_0 style: per block of 32 values d_x = max |x| / 127 and
// q_x = round(x / d_x) to nearest even, in fp32 (a row's padding past in_features counts as zeros). An
// output is then sum over blocks b of (d_w(b) * d_x(b)) * S(b), where S(b) = sum of q_w * q_x over the
// block is an exact integer, accumulated in fp32 in block order in one vector lane: the same for every
// row count and thread count. Against fp32 weights and activations this adds the weights' rounding to
// 8 bits (Q8_0) and the activations' (about 1 / 254 of a block's largest value).
//
// The integer sums: with AVX512-VNNI, vpdpbusd multiplies unsigned bytes by signed bytes, four per
// 32-bit lane; the weights are stored as q_w + 128 (unsigned), so S' = S + 128 * sum(q_x), and the
// accumulator of each block starts at -128 * sum(q_x) (computed in prepare) instead of 0. Without VNNI
// (AVX-512BW, AVX2) the same sums come from vpmaddubsw on |q_x| and q_w with the sign of q_x, then
// vpmaddwd (q_w is never -128, so no pair of products overflows 16 bits); the generic kernels loop.
#include "kernels_impl.hpp"
#include "matmul_driver.hpp"
#include "simd.hpp"

namespace cllm::cpu::CLLM_ISA_NS {
namespace {

#if defined(__AVX512VNNI__)
constexpr bool kVnni = true;
#else
constexpr bool kVnni = false;
#endif

constexpr int QVP = kPanel / W;  // int32 vectors per 4-column group of a panel; lane j of vector u: row u * W + j

// A prepared activation row: the quants of `blocks` blocks of 32, then their scales d_x (float), then
// their VNNI corrections -128 * sum(q_x) (int32); rows are padded to 64 bytes.
inline int32_t blocks_of(int32_t in_features) { return (in_features + kQ8Block - 1) / kQ8Block; }
inline int64_t scales_offset(int32_t blocks) { return int64_t(blocks) * kQ8Block; }
inline int64_t corrections_offset(int32_t blocks) { return int64_t(blocks) * (kQ8Block + 4); }

int64_t prepared_row_bytes(int32_t in_features) {
  return (int64_t(blocks_of(in_features)) * (kQ8Block + 8) + 63) / 64 * 64;
}

// Rounds each lane of v to the nearest integer, ties to even (the float is integral already or the
// conversion rounds it; every ISA rounds the same).
inline vi round_to_int(vf v) {
#if defined(__AVX512F__)
  return (vi)_mm512_cvtps_epi32((__m512)v);
#elif defined(__AVX2__)
  return (vi)_mm256_cvtps_epi32((__m256)v);
#elif defined(__SSE2__)
  return (vi)_mm_cvtps_epi32((__m128)v);
#else
  vi r;
  for (int i = 0; i < W; ++i) r[i] = int32_t(__builtin_rintf(v[i]));
  return r;
#endif
}

const void* prepare(void* scratch, const float* x, int64_t ldx, int32_t n, int32_t in_features, int64_t* ld_bytes) {
  const int32_t blocks = blocks_of(in_features);
  const int64_t row_bytes = prepared_row_bytes(in_features);
  for (int32_t r = 0; r < n; ++r) {
    uint8_t* out = static_cast<uint8_t*>(scratch) + r * row_bytes;
    int8_t* quants = reinterpret_cast<int8_t*>(out);
    float* scales = reinterpret_cast<float*>(out + scales_offset(blocks));
    int32_t* corrections = reinterpret_cast<int32_t*>(out + corrections_offset(blocks));
    const float* row = x + r * ldx;
    for (int32_t b = 0; b < blocks; ++b) {
      vf values[kQ8Block / W];
      vf amax = zero();
#pragma GCC unroll 8
      for (int i = 0; i < kQ8Block / W; ++i) {
        const int32_t c = b * kQ8Block + i * W, left = in_features - c;
        values[i] = left >= W ? load(row + c) : left > 0 ? load_partial(row + c, left) : zero();
        amax = vmax(amax, vmax(values[i], -values[i]));
      }
      const float d = hmax(amax) / 127.0f;
      const float id = d != 0.0f ? 1.0f / d : 0.0f;
      int32_t sum = 0;
#pragma GCC unroll 8
      for (int i = 0; i < kQ8Block / W; ++i) {
        const vi q = round_to_int(values[i] * id);  // |q| <= 127
        for (int j = 0; j < W; ++j) {
          quants[b * kQ8Block + i * W + j] = int8_t(q[j]);
          sum += q[j];
        }
      }
      scales[b] = d;
      corrections[b] = -128 * sum;
    }
  }
  *ld_bytes = row_bytes;
  return scratch;
}

// acc + per 32-bit lane the sum of four products of weight bytes w (stored q_w + 128) and the four
// signed activation bytes of x (the same four in every lane): with VNNI q_w + 128 times q_x (the block's
// starting value takes the 128 * sum(q_x) back out), else q_w times q_x.
inline vi dot4(vi acc, vi w, vi x) {
#if defined(__AVX512VNNI__)
  return (vi)_mm512_dpbusd_epi32((__m512i)acc, (__m512i)w, (__m512i)x);
#elif defined(__AVX512BW__)
  const __m512i qw = _mm512_xor_si512((__m512i)w, _mm512_set1_epi8(char(0x80)));
  const __m512i signed_w = _mm512_mask_sub_epi8(qw, _mm512_movepi8_mask((__m512i)x), _mm512_setzero_si512(), qw);
  const __m512i pairs = _mm512_maddubs_epi16(_mm512_abs_epi8((__m512i)x), signed_w);
  return acc + (vi)_mm512_madd_epi16(pairs, _mm512_set1_epi16(1));
#elif defined(__AVX2__)
  const __m256i qw = _mm256_xor_si256((__m256i)w, _mm256_set1_epi8(char(0x80)));
  const __m256i pairs = _mm256_maddubs_epi16(_mm256_abs_epi8((__m256i)x), _mm256_sign_epi8(qw, (__m256i)x));
  return acc + (vi)_mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
#else
  int8_t xs[4];
  __builtin_memcpy(xs, &x, 4);
  uint8_t ws[W * 4];
  __builtin_memcpy(ws, &w, sizeof(ws));
  for (int i = 0; i < W; ++i) {
    int32_t s = 0;
    for (int k = 0; k < 4; ++k) s += (int32_t(ws[4 * i + k]) - 128) * int32_t(xs[k]);
    acc[i] += s;
  }
  return acc;
#endif
}

template <int T, int V>
__attribute__((noinline)) void q8_tile(const void* const* panels, const void* const* x, int32_t k, float* res,
                                       const void* const* prefetch, int32_t every) {
  constexpr int N = V * QVP;
  const int32_t blocks = blocks_of(k);
  const uint8_t* p[V];
  const char* pf[V];
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) {
    p[v] = static_cast<const uint8_t*>(panels[v]);
    pf[v] = prefetch ? static_cast<const char*>(prefetch[v]) : nullptr;
  }
  const int8_t* xq[T];
  const float* xd[T];
  const int32_t* xc[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) {
    const uint8_t* row = static_cast<const uint8_t*>(x[t]);
    xq[t] = reinterpret_cast<const int8_t*>(row);
    xd[t] = reinterpret_cast<const float*>(row + scales_offset(blocks));
    xc[t] = reinterpret_cast<const int32_t*>(row + corrections_offset(blocks));
  }
  vf acc[T][N];
#pragma GCC unroll 32
  for (int t = 0; t < T; ++t) {
#pragma GCC unroll 32
    for (int u = 0; u < N; ++u) acc[t][u] = zero();
  }
  // One cache line of each next panel per group of 4 columns and one more per block: 18 per superblock
  // of 17 lines, so the token tiles together cover the next panels.
  int32_t countdown = prefetch ? 1 : 1 << 30;
  auto prefetch_step = [&] {
    if (--countdown == 0) {
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) {
        __builtin_prefetch(pf[v], 0, 2);  // prefetcht1: into L2
        pf[v] += 64;
      }
      countdown = every;
    }
  };
  for (int32_t b = 0; b < blocks; ++b) {
    const int64_t quants = int64_t(b / 2) * kQ8SuperblockBytes + (b % 2) * 512;
    const int64_t scales = int64_t(b / 2) * kQ8SuperblockBytes + 1024 + (b % 2) * 2 * kPanel;
    vi sums[T][N];
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) {
      const vi start = kVnni ? splat_i(xc[t][b]) : splat_i(0);
#pragma GCC unroll 32
      for (int u = 0; u < N; ++u) sums[t][u] = start;
    }
#pragma GCC unroll 8
    for (int g = 0; g < 8; ++g) {
      prefetch_step();
      vi w[N];
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) {
#pragma GCC unroll 8
        for (int j = 0; j < QVP; ++j) w[v * QVP + j] = load_i(p[v] + quants + g * 64 + j * W * 4);
      }
#pragma GCC unroll 16
      for (int t = 0; t < T; ++t) {
        int32_t four;
        __builtin_memcpy(&four, xq[t] + b * kQ8Block + g * 4, 4);
        const vi xb = splat_i(four);
#pragma GCC unroll 32
        for (int u = 0; u < N; ++u) sums[t][u] = dot4(sums[t][u], w[u], xb);
      }
    }
    prefetch_step();
    vf dw[N];
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) {
#pragma GCC unroll 8
      for (int j = 0; j < QVP; ++j)
        dw[v * QVP + j] = load_halves(reinterpret_cast<const uint16_t*>(p[v] + scales) + j * W);
    }
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) {
      const float dx = xd[t][b];
#pragma GCC unroll 32
      for (int u = 0; u < N; ++u) acc[t][u] += __builtin_convertvector(sums[t][u], vf) * (dw[u] * dx);
    }
  }
#pragma GCC unroll 32
  for (int t = 0; t < T; ++t) {
#pragma GCC unroll 32
    for (int u = 0; u < N; ++u) store(res + (t * N + u) * W, acc[t][u]);
  }
}

// q8_tile<tokens, panels> for run-time 1 <= tokens <= T, 1 <= panels <= V.
template <int T, int V>
void q8_tile_upto(int tokens, int panels, const void* const* p, const void* const* x, int32_t k, float* res,
                  const void* const* prefetch, int32_t every) {
  if constexpr (V > 1) {
    if (panels < V) return q8_tile_upto<T, V - 1>(tokens, panels, p, x, k, res, prefetch, every);
  }
  if constexpr (T > 1) {
    if (tokens < T) return q8_tile_upto<T - 1, V>(tokens, panels, p, x, k, res, prefetch, every);
  }
  q8_tile<T, V>(p, x, k, res, prefetch, every);
}

struct Q8Kind {
  // Integer sums and fp32 accumulators (2 * T * V * QVP vectors), the panel vectors and a broadcast fit
  // the registers; without VNNI the emulated dot product needs a few more.
#if defined(__AVX512VNNI__)
  static constexpr int T = 4, V = 3, TS = 6;
#elif defined(__AVX512F__)
  static constexpr int T = 4, V = 2, TS = 4;
#elif defined(__AVX2__)
  static constexpr int T = 2, V = 1, TS = 1;
#else
  static constexpr int T = 1, V = 1, TS = 1;
#endif
  static int64_t panel_bytes(int32_t in_features) { return q8_panel_bytes(in_features); }
  static void tile(int tokens, int panels, const void* const* p, const void* const* x, int32_t k, float* res,
                   const void* const* prefetch, int32_t every) {
    q8_tile_upto<T, V>(tokens, panels, p, x, k, res, prefetch, every);
  }
  static void tile_swiglu(int tokens, const void* const* p, const void* const* x, int32_t k, float* res,
                          const void* const* prefetch, int32_t every) {
    q8_tile_upto<TS, 2>(tokens, 2, p, x, k, res, prefetch, every);
  }
};

void matmul(const MatmulSegment* segments, int32_t n_segments, const void* act, int64_t ld_bytes, int32_t n,
            int32_t in_features) {
  matmul_tiles<Q8Kind>(segments, n_segments, act, ld_bytes, n, in_features);
}

void matmul_swiglu(float* out, const void* act, int64_t ld_bytes, const void* w_gate, const void* w_up, int32_t n,
                   int32_t in_features, int32_t hidden) {
  matmul_swiglu_tiles<Q8Kind>(out, act, ld_bytes, w_gate, w_up, n, in_features, hidden);
}

}  // namespace

WeightKernels q8_kernels() { return {prepared_row_bytes, prepare, matmul, matmul_swiglu}; }

}  // namespace cllm::cpu::CLLM_ISA_NS
