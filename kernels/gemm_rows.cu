#include "gemm_rows.cuh"

#include "common.cuh"
#include "gemm_fragments.hpp"
#include "gemm_schedule.hpp"

namespace cllm::cuda {
namespace {

constexpr int kWarps = kGemmWarps;
constexpr int kThreads = kWarps * 32;
// Chunks of 32 k per warp whose weight loads are issued before the first is used: 8 independent
// 16-byte loads per thread in flight.
constexpr int kUnroll = kGemmUnroll;

// Weights are read once per call: bypass L1 so they do not evict the activations that are re-read.
__device__ __forceinline__ uint4 load_weights(const __nv_bfloat16* p) {
  uint4 v;
  asm("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
      : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
      : "l"(p));
  return v;
}

// The same load for the prologue that runs before the PDL wait: volatile, so the compiler keeps it
// ahead of the wait instead of sinking it to its first use.
__device__ __forceinline__ uint4 load_weights_early(const __nv_bfloat16* p) {
  uint4 v;
  asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
               : "l"(p));
  return v;
}

__device__ __forceinline__ void prefetch_l2(const __nv_bfloat16* p) {
  asm volatile("prefetch.global.L2 [%0];" ::"l"(p));
}

// Activations are re-read by every block of output rows: keep them in the caches.
__device__ __forceinline__ uint4 load_activations(const __nv_bfloat16* p) {
  return __ldg(reinterpret_cast<const uint4*>(p));
}

__device__ __forceinline__ void mma_bf16_16816(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

__device__ __forceinline__ void unpack8(uint4 v, float (&f)[8]) {
  const uint32_t words[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    f[2 * i] = bf16_low(words[i]);
    f[2 * i + 1] = bf16_high(words[i]);
  }
}

// One chunk of 32 k on the tensor cores: weight rows g and g+8 (wl, wh) against n tile j's row g.
// x_chunk points at row 0, column k0 + 8t of the activations.
template <int NT>
__device__ __forceinline__ void mma_chunk(float (&acc)[NT][4], uint4 wl, uint4 wh, const __nv_bfloat16* x_chunk,
                                          int32_t ld_x, int rows, int g) {
  const uint32_t lo[4] = {wl.x, wl.y, wl.z, wl.w};
  const uint32_t hi[4] = {wh.x, wh.y, wh.z, wh.w};
#pragma unroll
  for (int j = 0; j < NT; ++j) {
    if (j * 8 < rows) {  // warp-uniform: the MMA needs every lane
      const int r = j * 8 + g;
      uint4 xv = make_uint4(0u, 0u, 0u, 0u);
      if (r < rows) xv = load_activations(x_chunk + int64_t(r) * ld_x);
      const uint32_t xw[4] = {xv.x, xv.y, xv.z, xv.w};
#pragma unroll
      for (int step = 0; step < 2; ++step) {
        uint32_t a[4], b[2];
        mma_a_fragment(lo, hi, step, a);
        mma_b_fragment(xw, step, b);
        mma_bf16_16816(acc[j], a, b);
      }
    }
  }
}

// One chunk of 32 k on the CUDA cores for rows < kGemvMaxRows: lane (g, t) accumulates its 8 k values
// of weight rows g and g+8 against every active row; the quad's four lanes are summed at the end.
__device__ __forceinline__ void fma_chunk(float (&lo)[kGemvMaxRows], float (&hi)[kGemvMaxRows], uint4 wl, uint4 wh,
                                          const __nv_bfloat16* x_chunk, int32_t ld_x, int rows) {
  float wlf[8], whf[8];
  unpack8(wl, wlf);
  unpack8(wh, whf);
#pragma unroll
  for (int b = 0; b < kGemvMaxRows; ++b) {
    if (b < rows) {
      float xf[8];
      unpack8(load_activations(x_chunk + int64_t(b) * ld_x), xf);
#pragma unroll
      for (int e = 0; e < 8; ++e) {
        lo[b] = fmaf(wlf[e], xf[e], lo[b]);
        hi[b] = fmaf(whf[e], xf[e], hi[b]);
      }
    }
  }
}

__device__ __forceinline__ float silu(float v) { return v / (1.0f + __expf(-v)); }

// kPrefetch: the double-buffered schedule of gemm_schedule.hpp; otherwise the plain loop below. Both
// consume the chunks in the same order, so both give the same bits.
template <int NT, GemmEpilogue E, bool kPrefetch>
__global__ void __launch_bounds__(kThreads, 2) gemm_rows_kernel(const GemmRowsArgs p) {
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  const int64_t tile = blockIdx.x;
  // This warp's share of the reduction, in chunks of kGemmK.
  const int chunks = p.ld / kGemmK;
  const int c_begin = gemm_warp_first_chunk(chunks, warp), c_end = gemm_warp_first_chunk(chunks, warp + 1);
  const __nv_bfloat16* w_lo = p.w + (tile * kGemmTileOut + g) * p.ld + 8 * t;
  const __nv_bfloat16* w_hi = w_lo + int64_t(8) * p.ld;
  const __nv_bfloat16* x_lane = p.x + 8 * t;

  // Prefetch variant: two register buffers of kBatch chunks each. With 8 n tiles the 32 accumulators
  // leave room for batches of 2 only (4 would spill under the 128-register bound of 2 blocks per SM).
  constexpr int kBatch = NT >= 8 ? 2 : kUnroll;
  uint4 buf_lo[2][kBatch], buf_hi[2][kBatch];
  // Before the PDL wait only the weights are read (no kernel ever writes them; launch_options.cuh).
  // Without the PDL attribute the wait returns at once and this is just the first batch's loads.
  if constexpr (kPrefetch) {
    auto load_early = [&](auto slot, int u, int c) {
      constexpr int s = decltype(slot)::value;
      buf_lo[s][u] = load_weights_early(w_lo + int64_t(c) * kGemmK);
      buf_hi[s][u] = load_weights_early(w_hi + int64_t(c) * kGemmK);
    };
    gemm_prefetch_prologue<kBatch>(c_begin, c_end, load_early);
  } else if (p.early_weights && t == 0) {
    // The first batch of rows g and g + 8 into L2 (lane t == 0 of each quad: 64 bytes per chunk).
    for (int c = c_begin; c < c_end && c < c_begin + kUnroll; ++c) {
      prefetch_l2(w_lo + int64_t(c) * kGemmK);
      prefetch_l2(w_hi + int64_t(c) * kGemmK);
    }
  }
  pdl_wait();
  pdl_launch_dependents();
  const int rows = active_rows(p.active_rows, p.max_rows);
  if (rows == 0) return;
  auto load = [&](auto slot, int u, int c) {
    constexpr int s = decltype(slot)::value;
    buf_lo[s][u] = load_weights(w_lo + int64_t(c) * kGemmK);
    buf_hi[s][u] = load_weights(w_hi + int64_t(c) * kGemmK);
  };

  float acc[NT][4];
#pragma unroll
  for (int j = 0; j < NT; ++j) acc[j][0] = acc[j][1] = acc[j][2] = acc[j][3] = 0.0f;

  if (rows <= p.gemv_max_rows) {
    float lo[kGemvMaxRows], hi[kGemvMaxRows];
#pragma unroll
    for (int b = 0; b < kGemvMaxRows; ++b) lo[b] = hi[b] = 0.0f;
    if constexpr (kPrefetch) {
      auto consume = [&](auto slot, int u, int c) {
        constexpr int s = decltype(slot)::value;
        fma_chunk(lo, hi, buf_lo[s][u], buf_hi[s][u], x_lane + int64_t(c) * kGemmK, p.ld_x, rows);
      };
      gemm_prefetch_loop<kBatch>(c_begin, c_end, load, consume);
    } else {
      int c = c_begin;
      for (; c + kUnroll <= c_end; c += kUnroll) {
        uint4 wl[kUnroll], wh[kUnroll];
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
          wl[u] = load_weights(w_lo + int64_t(c + u) * kGemmK);
          wh[u] = load_weights(w_hi + int64_t(c + u) * kGemmK);
        }
#pragma unroll
        for (int u = 0; u < kUnroll; ++u)
          fma_chunk(lo, hi, wl[u], wh[u], x_lane + int64_t(c + u) * kGemmK, p.ld_x, rows);
      }
      for (; c < c_end; ++c) {
        fma_chunk(lo, hi, load_weights(w_lo + int64_t(c) * kGemmK), load_weights(w_hi + int64_t(c) * kGemmK),
                  x_lane + int64_t(c) * kGemmK, p.ld_x, rows);
      }
    }
    // Sum the quad (lanes 4g..4g+3). With two commutative steps every lane gets the same bits.
#pragma unroll
    for (int b = 0; b < kGemvMaxRows; ++b) {
      lo[b] += __shfl_xor_sync(0xffffffffu, lo[b], 1);
      hi[b] += __shfl_xor_sync(0xffffffffu, hi[b], 1);
      lo[b] += __shfl_xor_sync(0xffffffffu, lo[b], 2);
      hi[b] += __shfl_xor_sync(0xffffffffu, hi[b], 2);
    }
    // Into the MMA accumulator layout: element e is (row g + 8*(e/2), token 2t + e%2).
#pragma unroll
    for (int b = 0; b < kGemvMaxRows; ++b) {
      if (b == 2 * t) {
        acc[0][0] = lo[b];
        acc[0][2] = hi[b];
      }
      if (b == 2 * t + 1) {
        acc[0][1] = lo[b];
        acc[0][3] = hi[b];
      }
    }
  } else if constexpr (kPrefetch) {
    auto consume = [&](auto slot, int u, int c) {
      constexpr int s = decltype(slot)::value;
      mma_chunk<NT>(acc, buf_lo[s][u], buf_hi[s][u], x_lane + int64_t(c) * kGemmK, p.ld_x, rows, g);
    };
    gemm_prefetch_loop<kBatch>(c_begin, c_end, load, consume);
  } else {
    int c = c_begin;
    for (; c + kUnroll <= c_end; c += kUnroll) {
      uint4 wl[kUnroll], wh[kUnroll];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        wl[u] = load_weights(w_lo + int64_t(c + u) * kGemmK);
        wh[u] = load_weights(w_hi + int64_t(c + u) * kGemmK);
      }
#pragma unroll
      for (int u = 0; u < kUnroll; ++u)
        mma_chunk<NT>(acc, wl[u], wh[u], x_lane + int64_t(c + u) * kGemmK, p.ld_x, rows, g);
    }
    for (; c < c_end; ++c) {
      mma_chunk<NT>(acc, load_weights(w_lo + int64_t(c) * kGemmK), load_weights(w_hi + int64_t(c) * kGemmK),
                    x_lane + int64_t(c) * kGemmK, p.ld_x, rows, g);
    }
  }

  // Combine the warps' partial sums in warp order (deterministic), then the epilogue.
  __shared__ float4 partial[kWarps][NT][32];
#pragma unroll
  for (int j = 0; j < NT; ++j) partial[warp][j][lane] = make_float4(acc[j][0], acc[j][1], acc[j][2], acc[j][3]);
  __syncthreads();
  for (int u = threadIdx.x; u < NT * 64; u += kThreads) {
    const int j = u / 64, src_lane = (u % 64) / 2, second = u % 2;
    const int token = j * 8 + 2 * (src_lane % 4) + second;
    if (token >= rows) continue;
    float lo = 0.0f, hi = 0.0f;
#pragma unroll
    for (int w = 0; w < kWarps; ++w) {
      const float4 v = partial[w][j][src_lane];
      lo += second ? v.y : v.x;
      hi += second ? v.w : v.z;
    }
    const int64_t row = tile * kGemmTileOut + src_lane / 4;  // weight rows `row` (lo) and `row + 8` (hi)
    if constexpr (E == GemmEpilogue::kSwiGLU) {
      const int64_t j_hidden = tile * 8 + src_lane / 4;
      if (j_hidden < p.out_features) {
        static_cast<__nv_bfloat16*>(p.y)[int64_t(token) * p.ld_y + j_hidden] = __float2bfloat16_rn(silu(lo) * hi);
      }
    } else {
      float* y = static_cast<float*>(p.y) + int64_t(token) * p.ld_y;
      if constexpr (E == GemmEpilogue::kAccumulate) {
        if (row < p.out_features) y[row] += lo;
        if (row + 8 < p.out_features) y[row + 8] += hi;
      } else {
        if (row < p.out_features) y[row] = lo;
        if (row + 8 < p.out_features) y[row + 8] = hi;
      }
    }
  }
}

template <GemmEpilogue E, bool kPrefetch>
cudaError_t launch_variant(const GemmRowsArgs& a, dim3 grid, cudaStream_t stream, bool pdl) {
  if (a.max_rows <= 8) return launch_kernel(gemm_rows_kernel<1, E, kPrefetch>, grid, dim3(kThreads), 0, stream, pdl, a);
  if (a.max_rows <= 16)
    return launch_kernel(gemm_rows_kernel<2, E, kPrefetch>, grid, dim3(kThreads), 0, stream, pdl, a);
  if (a.max_rows <= 32)
    return launch_kernel(gemm_rows_kernel<4, E, kPrefetch>, grid, dim3(kThreads), 0, stream, pdl, a);
  return launch_kernel(gemm_rows_kernel<8, E, kPrefetch>, grid, dim3(kThreads), 0, stream, pdl, a);
}

template <GemmEpilogue E>
cudaError_t launch_for_width(const GemmRowsArgs& a, dim3 grid, cudaStream_t stream, bool pdl) {
  return a.prefetch ? launch_variant<E, true>(a, grid, stream, pdl) : launch_variant<E, false>(a, grid, stream, pdl);
}

bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

}  // namespace

cudaError_t launch_gemm_rows(const GemmRowsArgs& args, GemmEpilogue epilogue, cudaStream_t stream,
                             const LaunchOptions& options) {
  if (args.w == nullptr || args.x == nullptr || args.y == nullptr || args.max_rows < 1 || args.max_rows > kMaxRows ||
      args.ld <= 0 || args.ld % kGemmK != 0 || args.ld_x < args.ld || args.ld_x % 8 != 0 || args.out_rows <= 0 ||
      args.out_features <= 0 || args.ld_y < args.out_features || !aligned16(args.w) || !aligned16(args.x)) {
    return cudaErrorInvalidValue;
  }
  if (epilogue == GemmEpilogue::kSwiGLU && args.out_rows % kGemmTileOut != 0) return cudaErrorInvalidValue;
  GemmRowsArgs a = args;
  a.gemv_max_rows = a.gemv_max_rows < 0 ? 0 : (a.gemv_max_rows > kGemvMaxRows ? kGemvMaxRows : a.gemv_max_rows);
  const dim3 grid(unsigned(gemm_rows_padded(a.out_rows) / kGemmTileOut));
  switch (epilogue) {
    case GemmEpilogue::kStore:
      return launch_for_width<GemmEpilogue::kStore>(a, grid, stream, options.pdl);
    case GemmEpilogue::kAccumulate:
      return launch_for_width<GemmEpilogue::kAccumulate>(a, grid, stream, options.pdl);
    case GemmEpilogue::kSwiGLU:
      return launch_for_width<GemmEpilogue::kSwiGLU>(a, grid, stream, options.pdl);
    default:
      return cudaErrorInvalidValue;
  }
}

}  // namespace cllm::cuda
