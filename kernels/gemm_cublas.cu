#include "gemm_cublas.cuh"

namespace cllm::cuda {

cublasStatus_t cublas_gemm_rows(cublasHandle_t handle, const __nv_bfloat16* w, int32_t ld_w, int32_t out, int32_t in,
                                const __nv_bfloat16* x, int32_t ld_x, int32_t rows, float* y, int32_t ld_y) {
  // Column-major view: y^T [out x rows] = (w as col-major [in x out])^T * (x as col-major [in x rows]).
  const float alpha = 1.0f, beta = 0.0f;
  return cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, out, rows, in, &alpha, w, CUDA_R_16BF, ld_w, x, CUDA_R_16BF,
                      ld_x, &beta, y, CUDA_R_32F, ld_y, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
}

}  // namespace cllm::cuda
