// Refill-window Jacobi decoding driven through the C ABI two ways, for tests that compare them:
//   - refill_with_runs: cllm_jacobi_run (the device-side loop), with a token limit per call and an
//     iteration cap per call (a token-limited call that the cap cuts short is continued by the next);
//   - refill_with_steps: cllm_jacobi_step, one call per iteration, with the window rebuilt here by the
//     rules of cllm.h (commit, stationary counts, prior, fresh guesses from the guess rule), narrowing
//     at the same per-call token limits so that both must agree exactly.
// Both prefill the prompt but its last token (y0) into the session first, build the first window from
// the guess rule, and stop at EOS, at max_tokens, or when the cache is full.
#pragma once

#include <cstdint>
#include <vector>

#include "cllm/cllm.h"

namespace cllm::testing {

struct RefillSettings {
  int32_t n = 8;                          // window width
  int32_t max_tokens = 32;                // whole generation
  int32_t tokens_per_call = 32;           // cllm_jacobi_run's max_tokens (the step driver narrows alike)
  int32_t iterations_per_call = 1 << 30;  // cllm_jacobi_run's max_iterations (changes nothing for steps)
  int32_t eos = -1;
  int32_t guess_kind = CLLM_GUESS_RANDOM;
  uint64_t seed = 0;
  int32_t pad_token = 0;
  bool record_predictions = false;
};

struct RefillOutput {
  std::vector<int32_t> committed;    // every committed token (EOS included)
  std::vector<int32_t> accepted;     // per iteration
  std::vector<int32_t> stationary;   // per iteration
  std::vector<int32_t> predictions;  // per iteration, n each, -1 past the rows (when recorded)
  std::vector<int32_t> window, prior;
  int32_t length = 0;  // session length at the end
  int32_t calls = 0;   // cllm_jacobi_run calls (runs) or iterations (steps)
  bool operator==(const RefillOutput& o) const;
};

RefillOutput refill_with_runs(cllm_session* session, const std::vector<int32_t>& prompt, const RefillSettings& s);
RefillOutput refill_with_steps(cllm_session* session, const std::vector<int32_t>& prompt, const RefillSettings& s);

// Greedy AR continuation of prompt (count tokens, or up to and including eos), through cllm_jacobi_step
// with one row: the reference every Jacobi output must equal.
std::vector<int32_t> greedy_tokens(cllm_session* session, const std::vector<int32_t>& prompt, int32_t count,
                                   int32_t eos);

}  // namespace cllm::testing
