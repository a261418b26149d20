// SwiGLU (per-ISA source): gate = silu(gate) * up, with the vector exp of simd.hpp. The backend fuses
// this into the gate/up matmul (matmul_swiglu); this standalone form is the reference contract.
#include "kernels_impl.hpp"
#include "simd.hpp"

namespace cllm::cpu::CLLM_ISA_NS {

void swiglu(float* gate, const float* up, int32_t rows, int32_t hidden) {
  const int64_t n = int64_t(rows) * hidden;
  int64_t i = 0;
  for (; i + W <= n; i += W) store(gate + i, vsilu(load(gate + i)) * load(up + i));
  if (i < n) {
    const int rest = int(n - i);
    store_partial(gate + i, vsilu(load_partial(gate + i, rest)) * load_partial(up + i, rest), rest);
  }
}

}  // namespace cllm::cpu::CLLM_ISA_NS
