// Weight upload: F32 / F16 / BF16 source rows to the padded bf16 layout the GEMM reads, optionally
// placing each source row at a remapped destination row (the fused QKV matrix, the interleaved
// gate/up matrix). CPU twin: cllm::float_to_bf16 / f16_to_float / bf16_to_float (native/src/half_floats.cpp).
#pragma once

#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_runtime.h>

namespace cllm::cuda {

enum class SourceType : int32_t { kF32 = 0, kF16 = 1, kBF16 = 2 };  // the values of cllm_dtype

enum class RowPlacement : int32_t {
  kPlain = 0,       // destination row = row_offset + r
  kSwiGLUGate = 1,  // destination row = swiglu_gate_row(r)
  kSwiGLUUp = 2,    // destination row = swiglu_up_row(r)
};

struct ConvertArgs {
  const void* src;  // device memory: rows x cols values of src_type, row-major
  SourceType src_type;
  int64_t rows;
  int32_t cols;
  int64_t first_row;   // index of src row 0 in the whole tensor (uploads come in pieces)
  __nv_bfloat16* dst;  // destination matrix, ld_dst elements per row
  int32_t ld_dst;
  int64_t row_offset;  // for kPlain
  RowPlacement placement;
};

cudaError_t launch_convert_to_bf16(const ConvertArgs& args, cudaStream_t stream);

// fp32 copies of small vectors (norm weights): dst[i] = float(src[i]).
cudaError_t launch_convert_to_f32(const void* src, SourceType src_type, int64_t n, float* dst, cudaStream_t stream);

}  // namespace cllm::cuda
