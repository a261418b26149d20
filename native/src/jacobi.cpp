// Backend-independent Jacobi iteration, block and refill run (cllm.h documents the conventions). The CPU
// backend uses these as they are; they are also the reference that a device backend's fused version
// must match (test_cuda_host_logic checks kernels/jacobi_state.hpp against them).
#include <algorithm>
#include <vector>

#include "backend.hpp"
#include "jacobi_guess.hpp"
#include "sampling.hpp"

namespace cllm {

static_assert(kGuessRandom == CLLM_GUESS_RANDOM && kGuessLast == CLLM_GUESS_LAST && kGuessPad == CLLM_GUESS_PAD,
              "jacobi_guess.hpp and cllm.h agree on the guess kinds");

void SessionBackend::set_cuda_stream(void*) {
  throw Error(CLLM_ERR_UNSUPPORTED, "this session runs on the CPU backend, which has no CUDA stream");
}

void SessionBackend::set_sampling(const cllm_sampling* sampling) {
  if (sampling && !sampling::is_plain_greedy(*sampling)) {
    throw Error(CLLM_ERR_UNSUPPORTED, "this backend samples greedily only (temperature 0, no penalties) so far");
  }
}

std::unique_ptr<BatchBackend> ModelBackend::new_batch(int32_t) { return std::make_unique<BatchBackend>(); }

void BatchBackend::forward_predict(SessionBackend* const* sessions, int32_t count, const int32_t* tokens,
                                   const int32_t* ns, int32_t* predictions) {
  int64_t offset = 0;
  for (int32_t s = 0; s < count; ++s) {
    sessions[s]->forward_argmax(tokens + offset, ns[s], predictions + offset);
    offset += ns[s];
  }
}

void batch_jacobi_step(BatchBackend& batch, SessionBackend* const* sessions, int32_t count, const int32_t* windows,
                       const int32_t* ns, int32_t* predictions, int32_t* accepted) {
  std::vector<int32_t> starts(static_cast<size_t>(count));
  for (int32_t s = 0; s < count; ++s) starts[size_t(s)] = sessions[s]->length();
  batch.forward_predict(sessions, count, windows, ns, predictions);
  // The same acceptance as jacobi_step, per session.
  int64_t offset = 0;
  for (int32_t s = 0; s < count; ++s) {
    const int32_t* window = windows + offset;
    const int32_t* p = predictions + offset;
    int32_t k = 1;
    while (k < ns[s] && window[k] == p[k - 1]) ++k;
    sessions[s]->truncate(starts[size_t(s)] + k);
    accepted[s] = k;
    offset += ns[s];
  }
}

int32_t SessionBackend::jacobi_step(const int32_t* window, int32_t n, int32_t* predictions) {
  const int32_t start = length();
  forward_argmax(window, n, predictions);
  int32_t accepted = 1;
  while (accepted < n && window[accepted] == predictions[accepted - 1]) ++accepted;
  truncate(start + accepted);
  return accepted;
}

namespace {

// How many of the k new tokens p(0..k-1) a call keeps: all, or up to and including the first EOS.
int32_t tokens_through_eos(const int32_t* predictions, int32_t k, int32_t eos_token, bool* hit_eos) {
  for (int32_t i = 0; i < k; ++i) {
    if (predictions[i] == eos_token) {
      *hit_eos = true;
      return i + 1;
    }
  }
  *hit_eos = false;
  return k;
}

}  // namespace

SessionBackend::BlockResult SessionBackend::jacobi_block(int32_t y0, const int32_t* init_state, int32_t n,
                                                         int32_t max_iterations, int32_t eos_token, int32_t* produced,
                                                         int32_t* accepted, int32_t* stationary, int32_t* states) {
  std::vector<int32_t> state(init_state, init_state + n);
  std::vector<int32_t> before_previous(size_t(n), -1);  // the state before the previous iteration
  std::vector<int32_t> window(n), predictions(n);
  if (states) std::copy(state.begin(), state.end(), states);
  BlockResult result{0, 0};
  const int32_t block_start = length();  // y0 is not cached yet; every produced token but the last is
  while (result.produced < n && result.iterations < max_iterations) {
    // Rows: y0, then the guesses for every not-yet-produced position but the last.
    const int32_t rows = n - result.produced;
    window[0] = y0;
    std::copy(state.begin() + result.produced, state.begin() + n - 1, window.begin() + 1);
    const int32_t k = jacobi_step(window.data(), rows, predictions.data());
    bool hit_eos = false;
    const int32_t taken = tokens_through_eos(predictions.data(), k, eos_token, &hit_eos);
    // Window row i holds state position produced + i - 1.
    int32_t still = 0;
    for (int32_t i = 1; i < taken; ++i) {
      if (before_previous[size_t(result.produced + i - 1)] == window[size_t(i)]) ++still;
    }
    if (accepted) accepted[result.iterations] = taken;
    if (stationary) stationary[result.iterations] = still;
    before_previous = state;
    ++result.iterations;
    // Row r predicted state position produced + r; the first `taken` of them are final.
    std::copy(predictions.begin(), predictions.begin() + rows, state.begin() + result.produced);
    for (int32_t i = 0; i < taken; ++i) produced[result.produced++] = predictions[size_t(i)];
    if (states) std::copy(state.begin(), state.end(), states + int64_t(result.iterations) * n);
    if (hit_eos) {
      truncate(block_start + result.produced);  // drop the KV of rows after the end of sequence
      break;
    }
    y0 = produced[result.produced - 1];
  }
  return result;
}

SessionBackend::RunResult SessionBackend::jacobi_run(const RunArgs& a) {
  const int32_t n = a.n;
  std::vector<int32_t> history(a.history, a.history + a.history_length);
  std::vector<int32_t> predictions(static_cast<size_t>(n)), next_prior(static_cast<size_t>(n));
  const int32_t start = length();
  RunResult result{0, 0};
  while (result.committed < a.max_tokens && result.iterations < a.max_iterations) {
    const int32_t rows = std::min(std::min(n, a.max_tokens - result.committed), capacity() - length());
    if (rows < 1) break;  // the cache is full
    const int32_t k = jacobi_step(a.window, rows, predictions.data());
    bool hit_eos = false;
    const int32_t taken = tokens_through_eos(predictions.data(), k, a.eos_token, &hit_eos);
    int32_t still = 0;
    for (int32_t i = 1; i < taken; ++i) {
      if (a.prior[i] == a.window[i]) ++still;
    }
    a.accepted[result.iterations] = taken;
    a.stationary[result.iterations] = still;
    if (a.predictions) {
      int32_t* row = a.predictions + int64_t(result.iterations) * n;
      std::copy(predictions.begin(), predictions.begin() + rows, row);
      std::fill(row + rows, row + n, -1);
    }
    ++result.iterations;
    for (int32_t i = 0; i < taken; ++i) {
      a.committed[result.committed++] = predictions[size_t(i)];
      history.push_back(predictions[size_t(i)]);
    }
    if (hit_eos) {
      truncate(start + result.committed);  // drop the KV of rows after the end of sequence
      break;
    }
    // The next window starts k positions later: what this window held there becomes the prior.
    for (int32_t i = 0; i < n; ++i) next_prior[size_t(i)] = i + k < n ? a.window[i + k] : -1;
    std::copy(next_prior.begin(), next_prior.end(), a.prior);
    const int32_t carried = rows - k + 1;  // p(k-1) (the next y0), then the predictions beyond it
    std::copy(predictions.begin() + (k - 1), predictions.begin() + rows, a.window);
    for (int32_t i = carried; i < n; ++i) {
      a.window[i] = guess_token(a.guess.kind, a.guess.seed, a.guess.pad_token, int64_t(length()) + i, history.data(),
                                int32_t(history.size()));
    }
  }
  return result;
}

}  // namespace cllm
