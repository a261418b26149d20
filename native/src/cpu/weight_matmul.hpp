// The matmuls of every weight type behind one call (compiled once, for the baseline ISA): fp32 weights
// go straight to a kernel table's matmul_packed; bf16 and Q8_0 weights first have their kernels prepare
// the activations (isa.hpp: WeightKernels), once for all segments of the call, into caller scratch.
#pragma once

#include <cstdint>

#include "isa.hpp"

namespace cllm::cpu {

// Scratch bytes a call with n rows of in_features inputs needs (0 for fp32 weights).
int64_t matmul_scratch_bytes(const Kernels& k, WeightType type, int32_t n, int32_t in_features);

// Every segment's outputs for the n rows of x ([n][ldx], in_features used); segment weights in `type`.
void matmul_weights(const Kernels& k, WeightType type, const MatmulSegment* segments, int32_t n_segments,
                    const float* x, int64_t ldx, int32_t n, int32_t in_features, void* scratch);
// out[r][j] = silu(x[r] . gate[j]) * (x[r] . up[j]) (x: [n][in_features]), both matrices in `type`.
void matmul_weights_swiglu(const Kernels& k, WeightType type, float* out, const float* x, const void* w_gate,
                           const void* w_up, int32_t n, int32_t in_features, int32_t hidden, void* scratch);

// The same with the active kernel table (isa.hpp: active_kernels) and scratch of their own: the CPU twins
// the tests hold to a plain reference.
void matmul_rows_weights(float* out, const float* x, const void* w_packed, WeightType type, int32_t rows,
                         int32_t in_features, int32_t out_features, bool accumulate);
void matmul_rows_weights_swiglu(float* out, const float* x, const void* gate_packed, const void* up_packed,
                                WeightType type, int32_t rows, int32_t in_features, int32_t hidden);

}  // namespace cllm::cpu
