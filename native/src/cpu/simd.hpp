// The vector vocabulary of the CPU kernels, for the per-ISA translation units only.
//
// Every kernel source (matmul_packed.cpp, attention.cpp, ...) is compiled once per instruction set: with
// -mavx512f..., with -mavx2 -mfma, and with the compiler's baseline (see native/CMakeLists.txt). The
// build defines CLLM_ISA_NS (avx512, avx2 or generic), and everything here and in the kernels lives in
// cllm::cpu::CLLM_ISA_NS, in an anonymous namespace where it can. That is what makes the per-ISA copies
// safe to link into one library: no inline function or template of one copy shares a (weak, COMDAT)
// symbol name with another copy, so the linker can never pick the AVX-512 body for the generic path.
// For the same reason these files include no C++ standard library headers that define inline
// functions or templates (no <cmath>, <algorithm>, <vector>): a std:: template instantiated with
// -mavx512f would be such a shared weak symbol. The ctest isa_symbols checks this on the objects.
//
// The arithmetic is written with GCC/Clang vector extensions (one source for every width); the few
// operations the extensions cannot express well (masked tail loads, horizontal sums) use intrinsics of
// the ISA being compiled.
#pragma once

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
// GCC 12 reports its own _mm512_undefined_ps() idiom (__m512 __Y = __Y) as an uninitialised use once
// inlined; the diagnostic state at the header's lines is what counts, so silence it around the include.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

#ifndef CLLM_ISA_NS
#error "simd.hpp is for the per-ISA kernel sources; the build defines CLLM_ISA_NS"
#endif

namespace cllm::cpu::CLLM_ISA_NS {
namespace {

#if defined(__AVX512F__)
constexpr int W = 16;  // floats per vector
#elif defined(__AVX2__)
constexpr int W = 8;
#else
constexpr int W = 4;
#endif

typedef float vf __attribute__((vector_size(W * sizeof(float))));
typedef int32_t vi __attribute__((vector_size(W * sizeof(int32_t))));

inline vf zero() { return vf{}; }
// All lanes s. Not "vf{} + s": that is 0 + s, which the compiler must keep (-0 + 0 is +0), an extra add
// before every broadcast; set1 becomes a single broadcast load from memory.
inline vf splat(float s) {
#if defined(__AVX512F__)
  return (vf)_mm512_set1_ps(s);
#elif defined(__AVX2__)
  return (vf)_mm256_set1_ps(s);
#elif defined(__SSE2__)
  return (vf)_mm_set1_ps(s);
#else
  vf v;
  for (int i = 0; i < W; ++i) v[i] = s;
  return v;
#endif
}

// Unaligned full-vector load and store (vmovups); memcpy is how the extensions say "no alignment".
inline vf load(const float* p) {
  vf v;
  __builtin_memcpy(&v, p, sizeof(v));
  return v;
}
inline void store(float* p, vf v) { __builtin_memcpy(p, &v, sizeof(v)); }

// Loads n < W floats, the other lanes zero; never reads past p + n (the tail of a row may end a page).
inline vf load_partial(const float* p, int n) {
#if defined(__AVX512F__)
  return (vf)_mm512_maskz_loadu_ps(__mmask16((1u << n) - 1u), p);
#elif defined(__AVX2__)
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return (vf)_mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes));
#else
  vf v = {};
  for (int i = 0; i < n; ++i) v[i] = p[i];
  return v;
#endif
}

// Stores the first n < W lanes.
inline void store_partial(float* p, vf v, int n) {
#if defined(__AVX512F__)
  _mm512_mask_storeu_ps(p, __mmask16((1u << n) - 1u), (__m512)v);
#elif defined(__AVX2__)
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  _mm256_maskstore_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes), (__m256)v);
#else
  for (int i = 0; i < n; ++i) p[i] = v[i];
#endif
}

// v with lanes n..W-1 set to zero.
inline vf keep_first(vf v, int n) {
  vi lane;
  for (int i = 0; i < W; ++i) lane[i] = i;
  return lane < n ? v : zero();
}

// Integer lanes: the same loads and broadcasts.
inline vi load_i(const void* p) {
  vi v;
  __builtin_memcpy(&v, p, sizeof(v));
  return v;
}
inline vi splat_i(int32_t s) {
#if defined(__AVX512F__)
  return (vi)_mm512_set1_epi32(s);
#elif defined(__AVX2__)
  return (vi)_mm256_set1_epi32(s);
#elif defined(__SSE2__)
  return (vi)_mm_set1_epi32(s);
#else
  vi v;
  for (int i = 0; i < W; ++i) v[i] = s;
  return v;
#endif
}

// W fp16 values to fp32 (F16C's vcvtph2ps; a bit-exact software conversion without it).
inline vf load_halves(const uint16_t* p) {
#if defined(__AVX512F__)
  return (vf)_mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
#elif defined(__AVX2__) && defined(__F16C__)
  return (vf)_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
#else
  vf v;
  for (int i = 0; i < W; ++i) {
    const uint32_t h = p[i], sign = (h & 0x8000u) << 16, exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
    float f = float(mantissa) * (1.0f / 16777216.0f);  // subnormal (or zero): mantissa * 2^-24, exact
    uint32_t bits;
    __builtin_memcpy(&bits, &f, 4);
    bits |= sign;
    if (exponent == 0x1f) {
      bits = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent != 0) {
      bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    }
    __builtin_memcpy(&f, &bits, 4);
    v[i] = f;
  }
  return v;
#endif
}

inline vf vmax(vf a, vf b) { return a > b ? a : b; }
inline vf vmin(vf a, vf b) { return a < b ? a : b; }

// Sum of the lanes.
inline float hsum(vf v) {
#if defined(__AVX512F__)
  const __m256 h = _mm256_add_ps(_mm512_castps512_ps256((__m512)v), _mm512_extractf32x8_ps((__m512)v, 1));
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
#elif defined(__AVX2__)
  __m128 s = _mm_add_ps(_mm256_castps256_ps128((__m256)v), _mm256_extractf128_ps((__m256)v, 1));
#elif defined(__SSE2__)
  __m128 s = (__m128)v;
#endif
#if defined(__SSE2__)
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
#else
  float sum = 0.0f;
  for (int i = 0; i < W; ++i) sum += v[i];
  return sum;
#endif
}

// The first lane of v equal to s, or -1.
inline int first_equal(vf v, float s) {
#if defined(__AVX512F__)
  const unsigned mask = _mm512_cmp_ps_mask((__m512)v, _mm512_set1_ps(s), _CMP_EQ_OQ);
#elif defined(__AVX2__)
  const unsigned mask = unsigned(_mm256_movemask_ps(_mm256_cmp_ps((__m256)v, _mm256_set1_ps(s), _CMP_EQ_OQ)));
#elif defined(__SSE2__)
  const unsigned mask = unsigned(_mm_movemask_ps(_mm_cmpeq_ps((__m128)v, _mm_set1_ps(s))));
#else
  unsigned mask = 0;
  for (int i = 0; i < W; ++i) mask |= unsigned(v[i] == s) << i;
#endif
  return mask ? __builtin_ctz(mask) : -1;
}

inline float hmax(vf v) {
  float m = v[0];
  for (int i = 1; i < W; ++i) m = v[i] > m ? v[i] : m;
  return m;
}

// exp(x) in fp32 (Cephes expf: Cody-Waite range reduction, degree-6 polynomial, about 1 ulp). Below
// -87.3 the result is 0 and above 88.7 it is +inf, as libm's expf rounds them, so SiLU of a very negative
// input is -0 and a softmax weight far below the maximum is exactly 0; NaN gives NaN.
inline vf vexp(vf x) {
  const vf c = vmin(vmax(x, splat(-87.0f)), splat(88.0f));
  // n = round(c / ln 2): adding 1.5 * 2^23 rounds to an integer in the float's low mantissa bits.
  const vf magic = splat(12582912.0f);
  const vf n = (c * 1.44269504088896341f + magic) - magic;
  const vf r = (c - n * 0.693359375f) - n * -2.12194440e-4f;
  vf p = splat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const vf e = p * (r * r) + r + 1.0f;
  const vi bits = (__builtin_convertvector(n, vi) + 127) << 23;  // 2^n, n in [-126, 127]
  const vf y = e * (vf)bits;
  const vf limits = x < -87.33654f ? zero() : (x > 88.72284f ? splat(__builtin_inff()) : y);
  return x == x ? limits : x;  // NaN stays NaN
}

// x * sigmoid(x): SiLU, the gate of SwiGLU.
inline vf vsilu(vf x) { return x / (1.0f + vexp(-x)); }

}  // namespace
}  // namespace cllm::cpu::CLLM_ISA_NS
