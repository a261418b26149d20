#include "jacobi_driver.hpp"

#include <algorithm>
#include <cstddef>

#include "jacobi_guess.hpp"
#include "random_model.hpp"

namespace cllm::testing {
namespace {

struct Start {
  std::vector<int32_t> window, prior, history;
};

// Prefill, then the first window: y0 and the guess rule for the positions after it.
Start start(cllm_session* session, const std::vector<int32_t>& prompt, const RefillSettings& s) {
  check(cllm_session_truncate(session, 0), "truncate");
  const int32_t cached = int32_t(prompt.size()) - 1;
  if (cached > 0) check(cllm_session_forward(session, prompt.data(), cached, nullptr), "prefill");
  Start st{std::vector<int32_t>(size_t(s.n)), std::vector<int32_t>(size_t(s.n), -1), prompt};
  st.window[0] = prompt.back();
  for (int32_t i = 1; i < s.n; ++i) {
    st.window[size_t(i)] =
        guess_token(s.guess_kind, s.seed, s.pad_token, int64_t(cached) + i, prompt.data(), int32_t(prompt.size()));
  }
  return st;
}

int32_t length_of(cllm_session* session) {
  int32_t length = 0;
  check(cllm_session_length(session, &length), "length");
  return length;
}

int32_t capacity_of(cllm_session* session) {
  int32_t capacity = 0;
  check(cllm_session_capacity(session, &capacity), "capacity");
  return capacity;
}

bool ended(const RefillOutput& out, const RefillSettings& s) {
  return !out.committed.empty() && s.eos >= 0 && out.committed.back() == s.eos;
}

}  // namespace

bool RefillOutput::operator==(const RefillOutput& o) const {
  return committed == o.committed && accepted == o.accepted && stationary == o.stationary &&
         predictions == o.predictions && window == o.window && prior == o.prior && length == o.length;
}

RefillOutput refill_with_runs(cllm_session* session, const std::vector<int32_t>& prompt, const RefillSettings& s) {
  Start st = start(session, prompt, s);
  RefillOutput out;
  const int32_t capacity = capacity_of(session);
  int32_t call_start = 0, in_call = 0;  // the token limit of a call spans the calls its iteration cap cuts
  while (int32_t(out.committed.size()) < s.max_tokens && !ended(out, s) && length_of(session) < capacity) {
    if (in_call >= std::min(s.tokens_per_call, s.max_tokens - call_start)) {
      call_start = int32_t(out.committed.size());
      in_call = 0;
    }
    const int32_t limit = std::min(s.tokens_per_call, s.max_tokens - call_start) - in_call;
    const int32_t bound = std::min(limit, capacity - length_of(session));
    std::vector<int32_t> committed(size_t(bound), -9), accepted(size_t(bound), -9), stationary(size_t(bound), -9);
    std::vector<int32_t> predictions(s.record_predictions ? size_t(bound) * size_t(s.n) : 0, -9);
    int32_t count = 0, iterations = 0;
    check(cllm_jacobi_run(session, st.window.data(), st.prior.data(), s.n, limit, s.iterations_per_call, s.eos,
                          s.guess_kind, int64_t(s.seed), s.pad_token, st.history.data(), int32_t(st.history.size()),
                          committed.data(), &count, &iterations, accepted.data(), stationary.data(),
                          s.record_predictions ? predictions.data() : nullptr),
          "jacobi run");
    ++out.calls;
    in_call += count;
    out.committed.insert(out.committed.end(), committed.begin(), committed.begin() + count);
    st.history.insert(st.history.end(), committed.begin(), committed.begin() + count);
    out.accepted.insert(out.accepted.end(), accepted.begin(), accepted.begin() + iterations);
    out.stationary.insert(out.stationary.end(), stationary.begin(), stationary.begin() + iterations);
    out.predictions.insert(out.predictions.end(), predictions.begin(),
                           predictions.begin() + (s.record_predictions ? std::ptrdiff_t(iterations) * s.n : 0));
  }
  out.window = st.window;
  out.prior = st.prior;
  out.length = length_of(session);
  return out;
}

RefillOutput refill_with_steps(cllm_session* session, const std::vector<int32_t>& prompt, const RefillSettings& s) {
  Start st = start(session, prompt, s);
  RefillOutput out;
  const int32_t capacity = capacity_of(session);
  const int32_t n = s.n;
  std::vector<int32_t> predictions(static_cast<size_t>(n)), next_prior(static_cast<size_t>(n));
  while (int32_t(out.committed.size()) < s.max_tokens && !ended(out, s) && length_of(session) < capacity) {
    const int32_t limit = std::min(s.tokens_per_call, s.max_tokens - int32_t(out.committed.size()));
    const int32_t call_start = length_of(session);
    int32_t in_call = 0;
    while (in_call < limit) {
      const int32_t length = length_of(session);
      const int32_t rows = std::min(std::min(n, limit - in_call), capacity - length);
      if (rows < 1) break;
      int32_t k = 0;
      check(cllm_jacobi_step(session, st.window.data(), rows, predictions.data(), &k), "jacobi step");
      ++out.calls;
      int32_t taken = k;
      for (int32_t i = 0; i < k; ++i) {
        if (predictions[size_t(i)] == s.eos) {
          taken = i + 1;
          break;
        }
      }
      int32_t still = 0;
      for (int32_t i = 1; i < taken; ++i) still += st.prior[size_t(i)] == st.window[size_t(i)] ? 1 : 0;
      out.accepted.push_back(taken);
      out.stationary.push_back(still);
      if (s.record_predictions) {
        for (int32_t r = 0; r < n; ++r) out.predictions.push_back(r < rows ? predictions[size_t(r)] : -1);
      }
      out.committed.insert(out.committed.end(), predictions.begin(), predictions.begin() + taken);
      st.history.insert(st.history.end(), predictions.begin(), predictions.begin() + taken);
      in_call += taken;
      if (taken < k || (s.eos >= 0 && predictions[size_t(taken - 1)] == s.eos)) {
        check(cllm_session_truncate(session, call_start + in_call), "truncate after EOS");
        break;
      }
      for (int32_t i = 0; i < n; ++i) next_prior[size_t(i)] = i + k < n ? st.window[size_t(i + k)] : -1;
      st.prior = next_prior;
      const int32_t carried = rows - k + 1;
      std::copy(predictions.begin() + (k - 1), predictions.begin() + rows, st.window.begin());
      const int32_t after = length + k;
      for (int32_t i = carried; i < n; ++i) {
        st.window[size_t(i)] = guess_token(s.guess_kind, s.seed, s.pad_token, int64_t(after) + i, st.history.data(),
                                           int32_t(st.history.size()));
      }
    }
  }
  out.window = st.window;
  out.prior = st.prior;
  out.length = length_of(session);
  return out;
}

std::vector<int32_t> greedy_tokens(cllm_session* session, const std::vector<int32_t>& prompt, int32_t count,
                                   int32_t eos) {
  check(cllm_session_truncate(session, 0), "truncate");
  const int32_t cached = int32_t(prompt.size()) - 1;
  if (cached > 0) check(cllm_session_forward(session, prompt.data(), cached, nullptr), "prefill");
  const int32_t capacity = capacity_of(session);
  std::vector<int32_t> out;
  int32_t next = prompt.back();
  while (int32_t(out.size()) < count && length_of(session) < capacity) {
    int32_t prediction = 0, k = 0;
    check(cllm_jacobi_step(session, &next, 1, &prediction, &k), "AR step");
    out.push_back(prediction);
    next = prediction;
    if (prediction == eos) break;
  }
  return out;
}

}  // namespace cllm::testing
