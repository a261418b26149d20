// The block GEMM through cuBLAS (bf16 in, fp32 out and accumulate): a reference for correctness and a
// yardstick for speed in tests and the benchmark. Built only when cuBLAS is found; never on the
// engine's path.
#pragma once

#include <cstdint>

#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

namespace cllm::cuda {

// y[r][o] = sum_i x[r][i] * w[o][i] for r < rows, o < out, i < in. w: [out][ld_w] bf16 row-major,
// x: [rows][ld_x] bf16, y: [rows][ld_y] float.
cublasStatus_t cublas_gemm_rows(cublasHandle_t handle, const __nv_bfloat16* w, int32_t ld_w, int32_t out, int32_t in,
                                const __nv_bfloat16* x, int32_t ld_x, int32_t rows, float* y, int32_t ld_y);

}  // namespace cllm::cuda
