// Row-wise argmax (per-ISA source), ties to the lowest index: a vector max pass, then the first index
// holding that value. NaN never wins a comparison, exactly as in the reference loop
// (if (row[c] > row[best]) best = c), which also means a NaN in column 0 is the answer.
#include "kernels_impl.hpp"
#include "simd.hpp"

namespace cllm::cpu::CLLM_ISA_NS {

void argmax(int32_t* out, const float* x, int32_t rows, int32_t cols) {
  for (int32_t r = 0; r < rows; ++r) {
    const float* row = x + int64_t(r) * cols;
    if (row[0] != row[0]) {
      out[r] = 0;
      continue;
    }
    // vmax(new, old) = new > old ? new : old keeps the old value when new is NaN.
    vf m0 = splat(-__builtin_inff()), m1 = m0;
    int32_t c = 0;
    for (; c + 2 * W <= cols; c += 2 * W) {
      m0 = vmax(load(row + c), m0);
      m1 = vmax(load(row + c + W), m1);
    }
    float best = hmax(vmax(m0, m1));
    for (; c < cols; ++c) best = row[c] > best ? row[c] : best;
    int32_t index = -1;
    for (c = 0; index < 0 && c + W <= cols; c += W) {
      const int lane = first_equal(load(row + c), best);
      if (lane >= 0) index = c + lane;
    }
    for (; index < 0 && c < cols; ++c) {
      if (row[c] == best) index = c;
    }
    out[r] = index < 0 ? 0 : index;  // no match: every value is NaN or -inf, column 0 as in the reference
  }
}

}  // namespace cllm::cpu::CLLM_ISA_NS
