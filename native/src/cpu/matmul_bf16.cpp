// Matmul over panel-packed bf16 weights (per-ISA source). isa.hpp describes the layout (panels of 16 rows
// stored by column pairs), matmul_driver.hpp the loop around the micro-kernel below.
//
// Two numerics, one per ISA, each the same for every row count and thread count:
//   - avx512_bf16: vdpbf16ps. Each activation row is rounded to bf16 once (round to nearest even, in
//     prepare), and every output accumulates, pair of columns by pair of columns, the two exact bf16
//     products into its fp32 lane (the hardware's order and its flushing of denormals).
//   - every other ISA: the weights are widened to fp32 in registers (a shift or a mask per pair) and
//     multiplied with the fp32 activations, one fused multiply-add per column in column order: exactly
//     what the fp32 kernels compute on the same (bf16-valued) weights, bit for bit.
// A build with CLLM_EMULATE_BF16 (the native tests only) runs the first kind on AVX-512F with vdpbf16ps
// emulated, so that this code is tested on CPUs without AVX512-BF16.
#include "kernels_impl.hpp"
#include "matmul_driver.hpp"
#include "simd.hpp"

namespace cllm::cpu::CLLM_ISA_NS {
namespace {

#if defined(__AVX512BF16__) || defined(CLLM_EMULATE_BF16)
constexpr bool kDot = true;
#else
constexpr bool kDot = false;
#endif

typedef uint32_t vu __attribute__((vector_size(W * sizeof(uint32_t))));
constexpr int VP = kPanel / W;  // vectors per column pair of a panel; lane j of vector u: row u * W + j

// acc + w.even * x.even + w.odd * x.odd per 32-bit lane, the bf16 pairs of w and x (the broadcast pair).
inline vf dot_pairs(vf acc, vi w, vi x) {
#if defined(__AVX512BF16__) && !defined(CLLM_EMULATE_BF16)
  return (vf)_mm512_dpbf16_ps((__m512)acc, (__m512bh)w, (__m512bh)x);
#else
  // The odd (high) products first, as Intel documents vdpbf16ps; bf16 products are exact in fp32.
  const vf high = (vf)((vu)w & 0xffff0000u) * (vf)((vu)x & 0xffff0000u);
  const vf low = (vf)((vu)w << 16) * (vf)((vu)x << 16);
  return (acc + high) + low;
#endif
}

// fp32 to bf16 bits, round to nearest even, NaN kept a (quiet) NaN.
inline uint16_t to_bf16(float f) {
  uint32_t u;
  __builtin_memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40u);
  return uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

int64_t prepared_row_bytes(int32_t in_features) {
  return kDot ? (int64_t((in_features + 1) / 2) * 4 + 63) / 64 * 64 : 0;
}

// vdpbf16ps reads bf16 activations: each row once, zero-padded to whole pairs. The widening kernels read x.
const void* prepare(void* scratch, const float* x, int64_t ldx, int32_t n, int32_t in_features, int64_t* ld_bytes) {
  if (!kDot) {
    *ld_bytes = ldx * int64_t(sizeof(float));
    return x;
  }
  const int64_t row_bytes = prepared_row_bytes(in_features);
  for (int32_t r = 0; r < n; ++r) {
    uint16_t* out = reinterpret_cast<uint16_t*>(static_cast<uint8_t*>(scratch) + r * row_bytes);
    const float* row = x + r * ldx;
    for (int32_t c = 0; c < in_features; ++c) out[c] = to_bf16(row[c]);
    for (int64_t c = in_features; c < row_bytes / 2; ++c) out[c] = 0;
  }
  *ld_bytes = row_bytes;
  return scratch;
}

template <int T, int V>
__attribute__((noinline)) void bf16_tile(const void* const* panels, const void* const* x, int32_t k, float* res,
                                         const void* const* prefetch, int32_t every) {
  constexpr int N = V * VP;
  vf acc[T][N];
#pragma GCC unroll 32
  for (int t = 0; t < T; ++t) {
#pragma GCC unroll 32
    for (int u = 0; u < N; ++u) acc[t][u] = zero();
  }
  const uint8_t* p[V];
  const char* pf[V];
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) {
    p[v] = static_cast<const uint8_t*>(panels[v]);
    pf[v] = prefetch ? static_cast<const char*>(prefetch[v]) : nullptr;
  }
  const int32_t pairs = kDot ? (k + 1) / 2 : k / 2;  // the widening kernels take an odd last column alone
  int32_t countdown = prefetch ? 1 : pairs + 1;      // never reaches 0 without a prefetch target
  for (int32_t c2 = 0; c2 < pairs; ++c2) {
    if (--countdown == 0) {
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) {
        __builtin_prefetch(pf[v], 0, 2);  // prefetcht1: into L2
        pf[v] += 64;                      // one cache line, one column pair of a panel
      }
      countdown = every;
    }
    vi raw[N];
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) {
#pragma GCC unroll 8
      for (int j = 0; j < VP; ++j) raw[v * VP + j] = load_i(p[v] + int64_t(c2) * 64 + j * W * 4);
    }
    if constexpr (kDot) {
#pragma GCC unroll 16
      for (int t = 0; t < T; ++t) {
        int32_t pair;
        __builtin_memcpy(&pair, static_cast<const uint8_t*>(x[t]) + int64_t(c2) * 4, 4);
        const vi xb = splat_i(pair);
#pragma GCC unroll 32
        for (int u = 0; u < N; ++u) acc[t][u] = dot_pairs(acc[t][u], raw[u], xb);
      }
    } else {
      vf w[N];
#pragma GCC unroll 32
      for (int u = 0; u < N; ++u) w[u] = (vf)((vu)raw[u] << 16);  // column 2 * c2
#pragma GCC unroll 16
      for (int t = 0; t < T; ++t) {
        const vf xb = splat(static_cast<const float*>(x[t])[2 * c2]);
#pragma GCC unroll 32
        for (int u = 0; u < N; ++u) acc[t][u] += xb * w[u];
      }
#pragma GCC unroll 32
      for (int u = 0; u < N; ++u) w[u] = (vf)((vu)raw[u] & 0xffff0000u);  // column 2 * c2 + 1
#pragma GCC unroll 16
      for (int t = 0; t < T; ++t) {
        const vf xb = splat(static_cast<const float*>(x[t])[2 * c2 + 1]);
#pragma GCC unroll 32
        for (int u = 0; u < N; ++u) acc[t][u] += xb * w[u];
      }
    }
  }
  if (!kDot && (k & 1)) {  // the last column of an odd width: the low halves of the last pair
    vf w[N];
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) {
#pragma GCC unroll 8
      for (int j = 0; j < VP; ++j) w[v * VP + j] = (vf)(load_i(p[v] + int64_t(pairs) * 64 + j * W * 4) << 16);
    }
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) {
      const vf xb = splat(static_cast<const float*>(x[t])[k - 1]);
#pragma GCC unroll 32
      for (int u = 0; u < N; ++u) acc[t][u] += xb * w[u];
    }
  }
#pragma GCC unroll 32
  for (int t = 0; t < T; ++t) {
#pragma GCC unroll 32
    for (int u = 0; u < N; ++u) store(res + (t * N + u) * W, acc[t][u]);
  }
}

// bf16_tile<tokens, panels> for run-time 1 <= tokens <= T, 1 <= panels <= V.
template <int T, int V>
void bf16_tile_upto(int tokens, int panels, const void* const* p, const void* const* x, int32_t k, float* res,
                    const void* const* prefetch, int32_t every) {
  if constexpr (V > 1) {
    if (panels < V) return bf16_tile_upto<T, V - 1>(tokens, panels, p, x, k, res, prefetch, every);
  }
  if constexpr (T > 1) {
    if (tokens < T) return bf16_tile_upto<T - 1, V>(tokens, panels, p, x, k, res, prefetch, every);
  }
  bf16_tile<T, V>(p, x, k, res, prefetch, every);
}

struct Bf16Kind {
  // Accumulators, panel vectors and one broadcast fit the registers (32 zmm; 16 ymm or xmm).
#if defined(__AVX512F__)
  static constexpr int T = 8, V = 3, TS = 8;
#elif defined(__AVX2__)
  static constexpr int T = 4, V = 1, TS = 1;
#else
  static constexpr int T = 2, V = 1, TS = 1;
#endif
  static int64_t panel_bytes(int32_t in_features) { return bf16_panel_elements(in_features) * 2; }
  static void tile(int tokens, int panels, const void* const* p, const void* const* x, int32_t k, float* res,
                   const void* const* prefetch, int32_t every) {
    bf16_tile_upto<T, V>(tokens, panels, p, x, k, res, prefetch, every);
  }
  static void tile_swiglu(int tokens, const void* const* p, const void* const* x, int32_t k, float* res,
                          const void* const* prefetch, int32_t every) {
    bf16_tile_upto<TS, 2>(tokens, 2, p, x, k, res, prefetch, every);
  }
};

void matmul(const MatmulSegment* segments, int32_t n_segments, const void* act, int64_t ld_bytes, int32_t n,
            int32_t in_features) {
  matmul_tiles<Bf16Kind>(segments, n_segments, act, ld_bytes, n, in_features);
}

void matmul_swiglu(float* out, const void* act, int64_t ld_bytes, const void* w_gate, const void* w_up, int32_t n,
                   int32_t in_features, int32_t hidden) {
  matmul_swiglu_tiles<Bf16Kind>(out, act, ld_bytes, w_gate, w_up, n, in_features, hidden);
}

}  // namespace

WeightKernels bf16_kernels() { return {prepared_row_bytes, prepare, matmul, matmul_swiglu}; }

}  // namespace cllm::cpu::CLLM_ISA_NS
