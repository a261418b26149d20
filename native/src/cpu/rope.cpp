// Rotary embedding (per-ISA source), Hugging Face layout: dimension i pairs with i + head_dim/2. The
// cosines and sines come precomputed per row (cpu_kernels.cpp: rope_table), once per forward instead of
// once per layer and head, so this is a pure multiply-add pass.
#include "kernels_impl.hpp"
#include "simd.hpp"

namespace cllm::cpu::CLLM_ISA_NS {

// cos_sin: per row, half cosines then half sines (half = head_dim / 2).
void rope(float* x, int32_t rows, int32_t n_heads, int32_t head_dim, const float* cos_sin) {
  const int32_t half = head_dim / 2;
  for (int32_t r = 0; r < rows; ++r) {
    const float* c = cos_sin + int64_t(r) * head_dim;
    const float* s = c + half;
    for (int32_t h = 0; h < n_heads; ++h) {
      float* lo = x + (int64_t(r) * n_heads + h) * head_dim;
      float* hi = lo + half;
      int32_t i = 0;
      for (; i + W <= half; i += W) {
        const vf a = load(lo + i), b = load(hi + i), cv = load(c + i), sv = load(s + i);
        store(lo + i, a * cv - b * sv);
        store(hi + i, b * cv + a * sv);
      }
      if (i < half) {
        const int rest = half - i;
        const vf a = load_partial(lo + i, rest), b = load_partial(hi + i, rest);
        const vf cv = load_partial(c + i, rest), sv = load_partial(s + i, rest);
        store_partial(lo + i, a * cv - b * sv, rest);
        store_partial(hi + i, b * cv + a * sv, rest);
      }
    }
  }
}

}  // namespace cllm::cpu::CLLM_ISA_NS
