// RMSNorm of fp32 rows into the bf16 input of the next GEMM (the conversion is fused into the norm, so
// the GEMM reads half the bytes and no separate cast pass runs). CPU twin: cpu::rmsnorm_rows.
#pragma once

#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "launch_options.cuh"

namespace cllm::cuda {

// out[r][i] = bf16(x[r][i] / sqrt(mean(x[r]^2) + eps) * weight[i]) for r < active rows, i < dim.
// Columns dim..ld_out of out are left as they are (zero padding for the GEMM). One block per row, or
// options.spread blocks per row (row_spread.hpp: each computes the row's RMS the same way and writes its
// slice of the columns, so the output is the same bits). options.pdl: programmatic dependent launch.
cudaError_t launch_rmsnorm_rows(const float* x, int32_t ld_x, const float* weight, int32_t dim, float eps,
                                __nv_bfloat16* out, int32_t ld_out, const int32_t* active_rows, int32_t max_rows,
                                cudaStream_t stream, const LaunchOptions& options = LaunchOptions{});

}  // namespace cllm::cuda
