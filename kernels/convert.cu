#include "convert.cuh"

#include <cuda_fp16.h>

#include "common.cuh"

namespace cllm::cuda {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ float load_as_float(const void* src, SourceType type, int64_t i) {
  switch (type) {
    case SourceType::kF32:
      return static_cast<const float*>(src)[i];
    case SourceType::kF16:
      return __half2float(static_cast<const __half*>(src)[i]);
    default:
      return bf16_bits_to_float(static_cast<const uint16_t*>(src)[i]);
  }
}

__global__ void __launch_bounds__(kThreads) convert_to_bf16_kernel(const ConvertArgs a) {
  const int64_t total = a.rows * a.cols;
  for (int64_t i = blockIdx.x * int64_t(kThreads) + threadIdx.x; i < total; i += int64_t(gridDim.x) * kThreads) {
    const int64_t r = i / a.cols, c = i % a.cols, source_row = a.first_row + r;
    const int64_t dst_row = a.placement == RowPlacement::kSwiGLUGate ? swiglu_gate_row(source_row)
                            : a.placement == RowPlacement::kSwiGLUUp ? swiglu_up_row(source_row)
                                                                     : a.row_offset + source_row;
    __nv_bfloat16 value;
    if (a.src_type == SourceType::kBF16) {
      value = __ushort_as_bfloat16(static_cast<const uint16_t*>(a.src)[i]);  // bit-exact copy
    } else {
      value = __float2bfloat16_rn(load_as_float(a.src, a.src_type, i));
    }
    a.dst[dst_row * a.ld_dst + c] = value;
  }
}

__global__ void __launch_bounds__(kThreads)
    convert_to_f32_kernel(const void* src, SourceType type, int64_t n, float* dst) {
  for (int64_t i = blockIdx.x * int64_t(kThreads) + threadIdx.x; i < n; i += int64_t(gridDim.x) * kThreads) {
    dst[i] = load_as_float(src, type, i);
  }
}

unsigned blocks_for(int64_t n) {
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  return unsigned(blocks < 4096 ? (blocks < 1 ? 1 : blocks) : 4096);
}

}  // namespace

cudaError_t launch_convert_to_bf16(const ConvertArgs& a, cudaStream_t stream) {
  if (!a.src || !a.dst || a.rows <= 0 || a.cols <= 0 || a.ld_dst < a.cols || a.first_row < 0 || a.row_offset < 0) {
    return cudaErrorInvalidValue;
  }
  convert_to_bf16_kernel<<<blocks_for(a.rows * a.cols), kThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

cudaError_t launch_convert_to_f32(const void* src, SourceType src_type, int64_t n, float* dst, cudaStream_t stream) {
  if (!src || !dst || n <= 0) return cudaErrorInvalidValue;
  convert_to_f32_kernel<<<blocks_for(n), kThreads, 0, stream>>>(src, src_type, n, dst);
  return cudaGetLastError();
}

}  // namespace cllm::cuda
