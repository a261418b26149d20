// Run-time ISA dispatch (compiled once, for the baseline ISA): which kernel tables were built, which
// ones this CPU runs, and CLLM_CPU_ISA.
#include "isa.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cllm::cpu {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512_bf16:
      return "avx512_bf16";
    case Isa::avx512_vnni:
      return "avx512_vnni";
    case Isa::avx512:
      return "avx512";
    case Isa::avx2:
      return "avx2";
    default:
      return "generic";
  }
}

namespace {

// __builtin_cpu_supports also checks that the OS saves the wide registers (XCR0), so "avx512f" false
// means the AVX-512 kernels must not run even on an AVX-512 CPU.
bool cpu_has(Isa isa) {
#if defined(__x86_64__) || defined(__i386__)
  switch (isa) {
    case Isa::avx512_bf16:
      return cpu_has(Isa::avx512_vnni) && __builtin_cpu_supports("avx512bf16");
    case Isa::avx512_vnni:
      return cpu_has(Isa::avx512) && __builtin_cpu_supports("avx512vnni");
    case Isa::avx512:
      return cpu_has(Isa::avx2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
    // F16C (fp16 scales of Q8_0 weights) came with or before AVX2 on every x86 CPU; checked all the same.
    case Isa::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    default:
      return true;
  }
#else
  return isa == Isa::generic;
#endif
}

const Kernels* compiled(Isa isa) {
  switch (isa) {
#ifdef CLLM_HAVE_AVX512_BF16
    case Isa::avx512_bf16:
      return avx512_bf16::table();
#endif
#ifdef CLLM_HAVE_AVX512_VNNI
    case Isa::avx512_vnni:
      return avx512_vnni::table();
#endif
#ifdef CLLM_HAVE_AVX512
    case Isa::avx512:
      return avx512::table();
#endif
#ifdef CLLM_HAVE_AVX2
    case Isa::avx2:
      return avx2::table();
#endif
    case Isa::generic:
      return generic::table();
    default:
      return nullptr;
  }
}

std::atomic<const Kernels*> active{nullptr};

}  // namespace

const Kernels* kernels_for(Isa isa) { return cpu_has(isa) ? compiled(isa) : nullptr; }

Isa best_isa() {
  for (int32_t level = kIsaCount - 1; level > 0; --level) {
    if (kernels_for(Isa(level))) return Isa(level);
  }
  return Isa::generic;
}

const Kernels& select_kernels() {
  Isa isa = best_isa();
  if (const char* forced = std::getenv("CLLM_CPU_ISA"); forced && *forced) {
    Isa wanted = isa;
    bool known = false;
    for (int32_t level = 0; level < kIsaCount && !known; ++level) {
      if (!std::strcmp(forced, isa_name(Isa(level)))) {
        wanted = Isa(level);
        known = true;
      }
    }
    if (!known) {
      std::fprintf(stderr,
                   "cllm: ignoring CLLM_CPU_ISA=%s (expected generic, avx2, avx512, avx512_vnni or avx512_bf16)\n",
                   forced);
    }
    // Never above what the CPU runs: an AVX-512 request on an AVX2 machine gets AVX2.
    if (known) isa = int32_t(wanted) < int32_t(isa) ? wanted : isa;
  }
  while (!kernels_for(isa)) isa = Isa(int32_t(isa) - 1);  // generic always exists
  return *kernels_for(isa);
}

const Kernels& active_kernels() {
  const Kernels* k = active.load(std::memory_order_acquire);
  if (!k) {
    const Kernels* chosen = &select_kernels();
    active.compare_exchange_strong(k, chosen, std::memory_order_acq_rel);
    k = active.load(std::memory_order_acquire);
  }
  return *k;
}

bool set_active_isa(Isa isa) {
  const Kernels* k = kernels_for(isa);
  if (!k) return false;
  active.store(k, std::memory_order_release);
  return true;
}

}  // namespace cllm::cpu
