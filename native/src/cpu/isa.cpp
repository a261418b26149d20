// Run-time ISA dispatch (compiled once, for the baseline ISA): which kernel tables were built, which
// ones this CPU runs, and CLLM_CPU_ISA.
#include "isa.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace cllm::cpu {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    default: return "generic";
  }
}

namespace {

// __builtin_cpu_supports also checks that the OS saves the wide registers (XCR0), so "avx512f" false
// means the AVX-512 kernels must not run even on an AVX-512 CPU.
bool cpu_has(Isa isa) {
#if defined(__x86_64__) || defined(__i386__)
  switch (isa) {
    case Isa::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    default: return true;
  }
#else
  return isa == Isa::generic;
#endif
}

const Kernels* compiled(Isa isa) {
  switch (isa) {
#ifdef CLLM_HAVE_AVX512
    case Isa::avx512: return avx512::table();
#endif
#ifdef CLLM_HAVE_AVX2
    case Isa::avx2: return avx2::table();
#endif
    case Isa::generic: return generic::table();
    default: return nullptr;
  }
}

std::atomic<const Kernels*> active{nullptr};

}  // namespace

const Kernels* kernels_for(Isa isa) { return cpu_has(isa) ? compiled(isa) : nullptr; }

Isa best_isa() {
  for (Isa isa : {Isa::avx512, Isa::avx2}) {
    if (kernels_for(isa)) return isa;
  }
  return Isa::generic;
}

const Kernels& select_kernels() {
  Isa isa = best_isa();
  if (const char* forced = std::getenv("CLLM_CPU_ISA"); forced && *forced) {
    Isa wanted = isa;
    bool known = true;
    if (!std::strcmp(forced, "generic")) {
      wanted = Isa::generic;
    } else if (!std::strcmp(forced, "avx2")) {
      wanted = Isa::avx2;
    } else if (!std::strcmp(forced, "avx512")) {
      wanted = Isa::avx512;
    } else {
      known = false;
      std::fprintf(stderr, "cllm: ignoring CLLM_CPU_ISA=%s (expected generic, avx2 or avx512)\n", forced);
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
