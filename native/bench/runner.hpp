// The measurements of cllm-bench, all through the C ABI (so every backend is timed the same way).
#pragma once

#include <cstdint>
#include <vector>

#include "cllm/cllm.h"
#include "timing.hpp"

namespace cllm::bench {

struct BlockResult {
  int32_t n = 0;
  Stats forward;  // cllm_session_forward of n tokens with logits, at position `context`
  Stats jacobi;   // cllm_jacobi_step of an n-token window (forward + argmax + accept), same position
};

struct ArResult {
  int32_t tokens = 0;
  int32_t sessions = 1;
  double tokens_per_s = 0;  // median over repeats of a greedy decode loop, summed over sessions
  Stats per_token;          // one session's step time
};

// Times each block size: the session is filled with `context` tokens once, and truncated back to
// that length after every timed call, so all calls see the same cache.
std::vector<BlockResult> time_blocks(cllm_model* model, const cllm_config& config, const std::vector<int32_t>& blocks,
                                     int32_t context, int warmup, int iters);

// Greedy AR decoding (1-token forwards with logits, argmax on the host) of `tokens` tokens after
// `context` prompt tokens; repeated `repeats` times. With sessions > 1, that many sessions decode at
// once, each on its own thread (tokens/s is then the total).
ArResult time_ar(cllm_model* model, const cllm_config& config, int32_t context, int32_t tokens, int repeats,
                 int32_t sessions);

// The max relative error (max |a - b| / max |b|) of the model's logits for one block of
// kLogitsCheckTokens tokens at position 0, against a CPU model with f32 weights of the same seed.
constexpr int32_t kLogitsCheckTokens = 16;
double logits_error_vs_f32(cllm_model* model, const cllm_config& config, uint64_t seed);

}  // namespace cllm::bench
