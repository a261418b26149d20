// Fast random weights for the GPU benchmark (model shapes: presets.hpp, shared with cllm-bench).
// Timing needs realistic sizes, not a particular distribution, so weights come from a counter-based
// hash (uniform, with the std of the test models' normal weights) generated on all host cores: a 7B
// model is ready in seconds instead of the minutes a normal_distribution takes. Never zeros (METHOD.md).
#pragma once

#include <cstdint>

#include "cllm/cllm.h"

namespace cllm::bench {

// Bytes of weights one forward with the output head reads (bf16 matrices; norms and the embedding
// rows gathered are negligible and left out).
int64_t forward_weight_bytes(const cllm_config& config);

// Creates the model on the backend and uploads hashed bf16 weights. Status as from the ABI.
cllm_status make_fast_random_model(const cllm_config& config, int32_t backend, int32_t device, uint64_t seed,
                                   cllm_model** out);

}  // namespace cllm::bench
