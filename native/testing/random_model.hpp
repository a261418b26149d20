// Seeded random Llama models built through the C ABI, shared by the native tests and the benchmark.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cllm/cllm.h"

namespace cllm::testing {

// A config with the usual defaults (theta 10000, eps 1e-5, head_dim = dim / n_heads).
cllm_config make_config(int32_t dim, int32_t hidden_dim, int32_t n_layers, int32_t n_heads, int32_t n_kv_heads,
                        int32_t vocab_size, int32_t max_seq_len, bool tied = true);

// Creates a model on a backend and uploads weights drawn from a seeded normal distribution
// (std 0.02, norms around 1), as dtype. Returns the status; *out is NULL on failure.
cllm_status make_random_model(const cllm_config& config, int32_t backend, int32_t device, uint64_t seed,
                              cllm_dtype dtype, cllm_model** out);
// The same with the weight type the backend stores matrices in (cllm_model_create_with_weights). With
// dtype CLLM_DTYPE_Q8_0 the matrices whose rows are a multiple of 32 long go up as GGUF Q8_0 blocks
// (quantised here), everything else as f32, as a GGUF Q8_0 file would hold them.
cllm_status make_random_model(const cllm_config& config, int32_t backend, int32_t device, uint64_t seed,
                              cllm_dtype dtype, int32_t weight_dtype, cllm_model** out);

// The values make_random_model uploads, tensor by tensor in upload order (fp32, before any dtype
// conversion): fn(tensor, layer, values). The same seed gives the same values.
void for_each_random_tensor(
    const cllm_config& config, uint64_t seed,
    const std::function<void(int32_t tensor, int32_t layer, const std::vector<float>& values)>& fn);

// Aborts the test with the status and last error when status != CLLM_OK.
void check(cllm_status status, const char* what);

}  // namespace cllm::testing
