// Matmul over panel-packed fp32 weights (per-ISA source): the CPU backend's GEMM for every projection
// and the output head when weights are fp32. isa.hpp describes the packing, matmul_driver.hpp the loop.
//
// Micro-kernel: panel_tile.hpp, with AVX-512 a tile of 8 token rows x 3 panels (48 outputs).
#include "kernels_impl.hpp"
#include "matmul_driver.hpp"
#include "panel_tile.hpp"
#include "simd.hpp"

namespace cllm::cpu::CLLM_ISA_NS {
namespace {

struct F32Kind {
  static constexpr int T = kTileTokens, V = kTilePanels;
  // SwiGLU tiles are one gate and one up panel: T x 2 panels of accumulators.
#if defined(__AVX512F__)
  static constexpr int TS = 8;  // 16 zmm accumulators
#elif defined(__AVX2__)
  static constexpr int TS = 2;  // 8 ymm
#else
  static constexpr int TS = 1;  // 8 xmm
#endif
  static int64_t panel_bytes(int32_t in_features) { return int64_t(in_features) * kPanel * int64_t(sizeof(float)); }

  template <int TT, int VV>
  static void run(int tokens, int panels, const void* const* p, const void* const* x, int32_t k, float* res,
                  const void* const* prefetch, int32_t every) {
    const float* pf[VV];
    const float* xf[TT];
    const float* nf[VV];
    for (int v = 0; v < VV; ++v) {
      pf[v] = static_cast<const float*>(p[v]);
      nf[v] = prefetch ? static_cast<const float*>(prefetch[v]) : nullptr;
    }
    for (int t = 0; t < TT; ++t) xf[t] = static_cast<const float*>(x[t]);
    panel_tile_upto<TT, VV>(tokens, panels, pf, xf, k, res, prefetch ? nf : nullptr, every);
  }
  static void tile(int tokens, int panels, const void* const* p, const void* const* x, int32_t k, float* res,
                   const void* const* prefetch, int32_t every) {
    run<T, V>(tokens, panels, p, x, k, res, prefetch, every);
  }
  static void tile_swiglu(int tokens, const void* const* p, const void* const* x, int32_t k, float* res,
                          const void* const* prefetch, int32_t every) {
    run<TS, 2>(tokens, 2, p, x, k, res, prefetch, every);
  }
};

}  // namespace

void matmul_packed(const MatmulSegment* segments, int32_t n_segments, const float* x, int64_t ldx, int32_t n,
                   int32_t in_features) {
  matmul_tiles<F32Kind>(segments, n_segments, x, ldx * int64_t(sizeof(float)), n, in_features);
}

void matmul_packed_swiglu(float* out, const float* x, const float* w_gate, const float* w_up, int32_t n,
                          int32_t in_features, int32_t hidden) {
  matmul_swiglu_tiles<F32Kind>(out, x, int64_t(in_features) * int64_t(sizeof(float)), w_gate, w_up, n, in_features,
                               hidden);
}

}  // namespace cllm::cpu::CLLM_ISA_NS
