// Device helpers shared by the kernel families: warp reductions, bf16 packing, active-row counts.
#pragma once

#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "layout.hpp"

namespace cllm::cuda {

// Rows a kernel works on: *rows when the count lives in device memory (graph replay with a shrinking
// Jacobi window), else max_rows; clamped to [0, max_rows]. Kernels are launched for max_rows and
// blocks past the active count return at once.
__device__ __forceinline__ int32_t active_rows(const int32_t* rows, int32_t max_rows) {
  if (rows == nullptr) return max_rows;
  const int32_t r = *rows;
  return r < 0 ? 0 : (r < max_rows ? r : max_rows);
}

// Butterfly reductions: every lane ends with the result. The association order differs between
// lanes, so code that needs one deterministic value reads it from a fixed lane (or uses max).
__device__ __forceinline__ float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}
__device__ __forceinline__ float warp_max(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

// Two bf16 packed in a 32-bit word (low half = lower index, as loaded from memory) to floats.
__device__ __forceinline__ float bf16_low(uint32_t word) { return __uint_as_float(word << 16); }
__device__ __forceinline__ float bf16_high(uint32_t word) { return __uint_as_float(word & 0xffff0000u); }
__device__ __forceinline__ float bf16_bits_to_float(uint16_t bits) { return __uint_as_float(uint32_t(bits) << 16); }

}  // namespace cllm::cuda
