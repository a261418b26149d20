// Block GEMM for the decode-time shape: y[r][o] = sum_i x[r][i] * w[o][i] for 1..64 token rows r
// against a bf16 weight matrix w [out, in] (row-major, as Hugging Face stores it). CPU twins:
// cpu::matmul_rows (kStore), cpu::matmul_rows_accumulate (kAccumulate), and cpu::matmul_rows of the
// gate and up projections followed by cpu::swiglu_rows (kSwiGLU).
//
// Bound by reading the weights, so every weight byte is read exactly once per call with 16-byte
// streaming loads. One thread block owns 16 output rows; its 8 warps split the reduction dimension and
// combine their partial sums in shared memory in a fixed order (deterministic, no atomics). Each warp
// multiplies with tensor cores (mma.sync m16n8k16, bf16 in, fp32 accumulate; weights are the 16-row A
// operand, tokens the 8-column B operand) or, for a handful of rows, with fp32 FMAs on the CUDA cores
// (the GEMV path). Either way a row's result does not depend on how many other rows there are.
//
// The row count may live in device memory (active_rows), so one captured graph serves every width of
// a shrinking Jacobi window: row tiles past the active count cost neither loads nor MMAs.
//
// Opt-in variants (off by default; native/cuda/NOTES.md): `prefetch` selects the double-buffered
// weight-load schedule (gemm_schedule.hpp; bit-identical results), and LaunchOptions::pdl launches
// the kernel with programmatic dependent launch: it issues its first weight loads (prefetch variant:
// into registers; plain variant with `early_weights`: into L2) before waiting for the previous kernel.
#pragma once

#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "launch_options.cuh"
#include "layout.hpp"

namespace cllm::cuda {

enum class GemmEpilogue : int32_t {
  kStore = 0,       // y = x w^T            (float y)
  kAccumulate = 1,  // y += x w^T           (float y: the residual stream)
  kSwiGLU = 2,      // y = silu(x wg^T) * (x wu^T) from interleaved gate/up rows (bf16 y)
};

// Rows at or below which the CUDA-core path runs (at most this many; see gemm_rows.cu).
constexpr int32_t kGemvMaxRows = 4;

struct GemmRowsArgs {
  const __nv_bfloat16* w;  // [gemm_rows_padded(out_rows)][ld], padding zero
  int32_t ld;              // gemm_ld(in): the reduction length, zero padded
  int32_t out_rows;        // weight rows (kSwiGLU: 2 * swiglu_hidden_padded(hidden), interleaved)
  int32_t out_features;    // outputs per token: out_rows, or hidden for kSwiGLU
  const __nv_bfloat16* x;  // [rows][ld_x]; columns in..ld must be finite (zero)
  int32_t ld_x;            // >= ld, a multiple of 8 (16-byte rows)
  void* y;                 // float [rows][ld_y], or bf16 for kSwiGLU
  int32_t ld_y;
  const int32_t* active_rows;  // device int with the row count, or nullptr for max_rows
  int32_t max_rows;            // 1..kMaxRows: rows the launch is sized for
  int32_t gemv_max_rows;       // rows <= this take the CUDA-core path; 0 = always tensor cores
  int32_t prefetch;            // 1: double-buffered weight loads (CLLM_CUDA_GEMM_PREFETCH); 0: plain
  int32_t early_weights;       // plain variant: prefetch the first weight batch into L2 before the PDL wait
};

cudaError_t launch_gemm_rows(const GemmRowsArgs& args, GemmEpilogue epilogue, cudaStream_t stream,
                             const LaunchOptions& options = LaunchOptions{});

}  // namespace cllm::cuda
