// GPU measurements through the C ABI, shared by cllm-gpu-bench and cllm-bench --backend cuda: each
// session runs on a caller-owned stream (cllm_session_set_cuda_stream) so CUDA events bracket exactly
// the device work of the calls timed.
#pragma once

#include <cstdint>
#include <vector>

#include <cuda_runtime.h>

#include "cllm/cllm.h"

namespace cllm::bench {

struct GpuStepTiming {
  int32_t n = 0;
  double forward_ms = 0;    // cllm_session_forward of n tokens with logits copied back
  double iteration_ms = 0;  // cllm_jacobi_step of an n-token window (n = 1: an AR step)
};

struct GpuBlockTiming {
  int32_t n = 0;
  int32_t iterations_while = 0, iterations_loop = 0;
  double while_ms = 0, loop_ms = 0;  // one cllm_jacobi_block: WHILE-node graph, host-loop fallback
};

// Median device times per call and block size, at a cache of `context` tokens (truncated back after
// each call); each CUDA event pair brackets several calls in a row (gpu_timer.hpp).
std::vector<GpuStepTiming> time_gpu_steps(cllm_model* model, const cllm_config& config,
                                          const std::vector<int32_t>& blocks, int32_t context, int warmup, int iters,
                                          cudaStream_t stream);

// Whole Jacobi blocks of n (n >= 2) from a fixed poor guess, in both graph modes.
std::vector<GpuBlockTiming> time_gpu_blocks(cllm_model* model, const cllm_config& config,
                                            const std::vector<int32_t>& blocks, int32_t context, int warmup, int iters,
                                            cudaStream_t stream);

}  // namespace cllm::bench
