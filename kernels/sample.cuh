// Lossless sampling on the device (cllm.h, "Sampling"), one block per row: the keep threshold of
// top-k, top-p and min-p by binary searches over the float keys (block reductions, no sort), then the
// inverse-CDF draw with sampling_uniform(seed, position). CPU twin: cllm::sampling::draw
// (native/src/sampling.cpp). Penalties are applied to the logits before (a separate step), and
// temperature 0 uses the argmax kernel, so this kernel always samples.
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

namespace cllm::cuda {

struct SampleParams {
  float temperature;  // > 0
  int32_t top_k;      // 0: off
  float top_p;        // 1: off
  float min_p;        // 0: off
  uint64_t seed;
};

// out[r] = the token drawn for position *first_position + r + 1 from row r of logits (rows ld floats
// apart, cols used), for r < the active rows (active_rows in device memory, nullptr: max_rows).
// first_position is device memory too (the session length a graph reads at replay).
cudaError_t launch_sample_rows(const float* logits, int32_t ld, int32_t cols, const int32_t* active_rows,
                               int32_t max_rows, const int32_t* first_position, const SampleParams& params,
                               int32_t* out, cudaStream_t stream);

}  // namespace cllm::cuda
