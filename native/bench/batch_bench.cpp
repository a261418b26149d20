#include "batch_bench.hpp"

#include <algorithm>
#include <random>
#include <vector>

#include "random_model.hpp"
#include "timing.hpp"

namespace cllm::bench {
namespace {

using cllm::testing::check;

// The sessions' state between iterations: each one's window (y0 then guesses) and committed tokens.
struct Decode {
  std::vector<cllm_session*> sessions;
  std::vector<int32_t> windows, predictions, ns, accepted;
  std::vector<std::vector<int32_t>> committed;
};

Decode start(cllm_model* model, const cllm_config& c, int32_t count, int32_t n, int32_t context, int32_t steps) {
  Decode d;
  std::mt19937 rng(11);
  for (int32_t s = 0; s < count; ++s) {
    cllm_session* session;
    check(cllm_session_create(model, context + steps * n + n + 1, &session), "session");
    std::vector<int32_t> prompt(size_t(context) + 1);
    for (int32_t& t : prompt) t = int32_t(rng() % uint32_t(c.vocab_size));
    if (context > 0) check(cllm_session_forward(session, prompt.data(), context, nullptr), "prefill");
    d.sessions.push_back(session);
    for (int32_t i = 0; i < n; ++i) d.windows.push_back(prompt[size_t(context)]);  // y0, guesses: y0 again
  }
  d.predictions.assign(d.windows.size(), 0);
  d.ns.assign(size_t(count), n);
  d.accepted.assign(size_t(count), 0);
  d.committed.assign(size_t(count), {});
  return d;
}

// After an iteration: commit p(0..k-1), next window p(k-1..n-1) then copies of the last prediction.
void refill(Decode& d, int32_t n) {
  for (size_t s = 0; s < d.sessions.size(); ++s) {
    const int32_t k = d.accepted[s];
    const int32_t* p = d.predictions.data() + s * size_t(n);
    int32_t* w = d.windows.data() + s * size_t(n);
    d.committed[s].insert(d.committed[s].end(), p, p + k);
    std::copy(p + k - 1, p + n, w);
    std::fill(w + (n - k + 1), w + n, p[n - 1]);
  }
}

void finish(Decode& d) {
  for (cllm_session* s : d.sessions) cllm_session_free(s);
}

}  // namespace

std::vector<BatchRow> time_batches(cllm_model* model, const cllm_config& config, const std::vector<int32_t>& counts,
                                   int32_t n, int32_t context, int32_t steps) {
  std::vector<BatchRow> rows;
  for (int32_t count : counts) {
    BatchRow row;
    row.sessions = count;
    row.n = n;
    row.steps = steps;
    // Batched: one forward per iteration for all sessions.
    Decode batched = start(model, config, count, n, context, steps);
    cllm_batch* batch;
    check(cllm_batch_create(model, count * n, &batch), "batch");
    std::vector<double> step_seconds;
    double start_time = now_seconds();
    for (int32_t i = 0; i < steps; ++i) {
      const double t = now_seconds();
      check(cllm_batch_jacobi_step(batch, batched.sessions.data(), count, batched.windows.data(), batched.ns.data(),
                                   batched.predictions.data(), batched.accepted.data()),
            "batched step");
      step_seconds.push_back(now_seconds() - t);
      refill(batched, n);
    }
    const double batched_seconds = now_seconds() - start_time;
    cllm_batch_free(batch);
    // Alone: the same sessions, one cllm_jacobi_step each per iteration.
    Decode alone = start(model, config, count, n, context, steps);
    start_time = now_seconds();
    for (int32_t i = 0; i < steps; ++i) {
      for (int32_t s = 0; s < count; ++s) {
        check(cllm_jacobi_step(alone.sessions[size_t(s)], alone.windows.data() + size_t(s) * n, n,
                               alone.predictions.data() + size_t(s) * n, &alone.accepted[size_t(s)]),
              "step alone");
      }
      refill(alone, n);
    }
    const double alone_seconds = now_seconds() - start_time;
    int64_t tokens = 0;
    for (const auto& c : batched.committed) tokens += int64_t(c.size());
    row.same_tokens = batched.committed == alone.committed;
    row.tokens_per_step = double(tokens) / steps;
    std::sort(step_seconds.begin(), step_seconds.end());
    row.batched_step_ms = step_seconds[step_seconds.size() / 2] * 1e3;
    row.batched_tokens_per_s = double(tokens) / batched_seconds;
    row.alone_tokens_per_s = double(tokens) / alone_seconds;
    finish(batched);
    finish(alone);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace cllm::bench
