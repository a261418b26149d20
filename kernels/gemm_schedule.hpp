// How the block GEMM walks the reduction dimension: which chunks of kGemmK each of its 8 warps owns,
// and the double-buffered weight-load schedule of the prefetching variant (CLLM_CUDA_GEMM_PREFETCH).
// Plain C++ templates so that the host test runs the very schedule the kernel runs.
//
// The plain kernel loads kUnroll chunks, consumes them, loads the next kUnroll, ... and then loads and
// consumes its leftover chunks (chunks per warp modulo kUnroll) one at a time, each exposing a full
// memory latency. The prefetching schedule keeps two register buffers of kUnroll chunks: while one
// batch is consumed the next is already loading, and the last batch is a predicated partial batch
// instead of serial leftovers. Chunks are CONSUMED in the same order (ascending) as in the plain
// kernel, so every accumulator sees the same additions in the same order: the result is bit-identical
// to the plain kernel's, for every row count.
#pragma once

#include "layout.hpp"

#if defined(__CUDACC__)
#define CLLM_FORCEINLINE __forceinline__
#else
#define CLLM_FORCEINLINE inline
#endif

namespace cllm::cuda {

constexpr int kGemmWarps = 8;
constexpr int kGemmUnroll = 4;

// Chunks [gemm_warp_first_chunk(chunks, w), gemm_warp_first_chunk(chunks, w + 1)) belong to warp w.
CLLM_HOST_DEVICE constexpr int gemm_warp_first_chunk(int chunks, int warp) { return warp * chunks / kGemmWarps; }

// Which of the two register buffers a load or a use refers to, as a compile-time constant (so the
// buffers stay in registers: every index into them is known after unrolling).
template <int S>
struct GemmSlot {
  static constexpr int value = S;
};

// load(slot, u, c): issue the loads of chunk c into position u of buffer slot.
// consume(slot, u, c): use chunk c from position u of buffer slot.

// Loads the first batch (chunks begin .. begin + U - 1 that exist) into buffer 0. Only weights are
// loaded, so under PDL this runs before the wait.
template <int U, typename Load>
CLLM_HOST_DEVICE CLLM_FORCEINLINE void gemm_prefetch_prologue(int begin, int end, Load& load) {
#pragma unroll
  for (int u = 0; u < U; ++u) {
    if (begin + u < end) load(GemmSlot<0>{}, u, begin + u);
  }
}

// One batch at c (in buffer S): first issue the next batch into the other buffer, then consume this one.
template <int U, int S, typename Load, typename Consume>
CLLM_HOST_DEVICE CLLM_FORCEINLINE void gemm_prefetch_step(int c, int end, Load& load, Consume& consume) {
  const int next = c + U;
  if (next < end) {
#pragma unroll
    for (int u = 0; u < U; ++u) {
      if (next + u < end) load(GemmSlot<1 - S>{}, u, next + u);
    }
  }
#pragma unroll
  for (int u = 0; u < U; ++u) {
    if (c + u < end) consume(GemmSlot<S>{}, u, c + u);
  }
}

// The whole walk after gemm_prefetch_prologue: batches alternate between the buffers (unrolled by two so
// the buffer of every batch is a compile-time constant).
template <int U, typename Load, typename Consume>
CLLM_HOST_DEVICE CLLM_FORCEINLINE void gemm_prefetch_loop(int begin, int end, Load& load, Consume& consume) {
  for (int c = begin; c < end; c += 2 * U) {
    gemm_prefetch_step<U, 0>(c, end, load, consume);
    if (c + U >= end) break;
    gemm_prefetch_step<U, 1>(c + U, end, load, consume);
  }
}

}  // namespace cllm::cuda
