// The kernel table of one ISA (per-ISA source): what the run-time dispatch in isa.cpp hands out.
#include "kernels_impl.hpp"

namespace cllm::cpu::CLLM_ISA_NS {

#define CLLM_STR2(x) #x
#define CLLM_STR(x) CLLM_STR2(x)

const Kernels* table() {
  static const Kernels kernels = {CLLM_STR(CLLM_ISA_NS),
                                  Isa::CLLM_ISA_NS,
                                  matmul_packed,
                                  matmul_packed_swiglu,
                                  rmsnorm,
                                  rope,
                                  swiglu,
                                  attention,
                                  argmax,
                                  bf16_kernels(),
                                  q8_kernels()};
  return &kernels;
}

}  // namespace cllm::cpu::CLLM_ISA_NS
