// cllm-bench --batch: aggregate Jacobi tokens/s of several sessions stepping together through one
// batched forward per iteration (cllm_batch_jacobi_step), against the same sessions stepping one after
// the other (cllm_jacobi_step each). Both runs commit the same tokens (a batched step is bit-identical
// to the steps alone), which the benchmark checks.
#pragma once

#include <cstdint>
#include <vector>

#include "cllm/cllm.h"

namespace cllm::bench {

struct BatchRow {
  int32_t sessions = 0;
  int32_t n = 0;                    // Jacobi window rows per session
  int32_t steps = 0;                // iterations timed
  double tokens_per_step = 0;       // tokens committed per iteration, all sessions together
  double batched_step_ms = 0;       // one batched iteration (median)
  double batched_tokens_per_s = 0;  // all sessions together
  double alone_tokens_per_s = 0;    // the same sessions stepping one after the other
  bool same_tokens = false;         // the two runs committed the same tokens
};

// For each session count: sessions hold `context` random tokens, then `steps` refill iterations of n rows.
std::vector<BatchRow> time_batches(cllm_model* model, const cllm_config& config, const std::vector<int32_t>& counts,
                                   int32_t n, int32_t context, int32_t steps);

}  // namespace cllm::bench
