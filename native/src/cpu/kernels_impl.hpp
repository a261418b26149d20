// The entry points each per-ISA copy of the kernel sources defines, in cllm::cpu::<isa>. Their
// contracts are those of the functions of the same name in cpu_kernels.hpp (isa.hpp: the packed forms).
#pragma once

#include <cstdint>

#include "isa.hpp"
#include "thread_pool.hpp"

#ifndef CLLM_ISA_NS
#error "kernels_impl.hpp is for the per-ISA kernel sources; the build defines CLLM_ISA_NS"
#endif

namespace cllm::cpu::CLLM_ISA_NS {

void matmul_packed(const MatmulSegment* segments, int32_t n_segments, const float* x, int64_t ldx, int32_t n,
                   int32_t in_features);
void matmul_packed_swiglu(float* out, const float* x, const float* w_gate, const float* w_up, int32_t n,
                          int32_t in_features, int32_t hidden);
void rmsnorm(float* out, const float* x, const float* weight, int32_t rows, int32_t dim, float eps);
void rope(float* x, int32_t rows, int32_t n_heads, int32_t head_dim, const float* cos_sin);
void swiglu(float* gate, const float* up, int32_t rows, int32_t hidden);
void attention(float* out, const float* q, const float* k_packed, int64_t k_head_stride, const float* v_cache,
               int32_t rows, int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t first_position,
               float* scores);
void argmax(int32_t* out, const float* x, int32_t rows, int32_t cols);
WeightKernels bf16_kernels();  // matmul_bf16.cpp
WeightKernels q8_kernels();    // matmul_q8.cpp

namespace {

// parallel_for (thread_pool.hpp) with a callable f(begin, end). Local to this ISA's copy, like every
// template here (simd.hpp explains why).
template <typename F>
void parallel_ranges(int64_t count, int64_t work, const F& f) {
  parallel_for(
      count, work, [](void* context, int64_t begin, int64_t end) { (*static_cast<const F*>(context))(begin, end); },
      const_cast<F*>(&f));
}

}  // namespace

}  // namespace cllm::cpu::CLLM_ISA_NS
