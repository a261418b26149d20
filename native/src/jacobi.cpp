// Backend-independent Jacobi iteration and block (cllm.h documents the conventions). The CPU backend
// uses these as they are; they are also the reference that a device backend's fused version must match.
#include <algorithm>
#include <vector>

#include "backend.hpp"
#include "sampling.hpp"

namespace cllm {

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

SessionBackend::BlockResult SessionBackend::jacobi_block(int32_t y0, const int32_t* init_state,
                                                         int32_t n, int32_t max_iterations,
                                                         int32_t eos_token, int32_t* produced,
                                                         int32_t* states) {
  std::vector<int32_t> state(init_state, init_state + n);
  std::vector<int32_t> window(n), predictions(n);
  if (states) std::copy(state.begin(), state.end(), states);
  BlockResult result{0, 0};
  const int32_t block_start = length();  // y0 is not cached yet; every produced token but the last is
  while (result.produced < n && result.iterations < max_iterations) {
    // Rows: y0, then the guesses for every not-yet-produced position but the last.
    const int32_t rows = n - result.produced;
    window[0] = y0;
    std::copy(state.begin() + result.produced, state.begin() + n - 1, window.begin() + 1);
    const int32_t accepted = jacobi_step(window.data(), rows, predictions.data());
    ++result.iterations;
    // Row r predicted state position produced + r; the first `accepted` of them are final.
    std::copy(predictions.begin(), predictions.begin() + rows, state.begin() + result.produced);
    bool hit_eos = false;
    for (int32_t i = 0; i < accepted; ++i) {
      const int32_t token = state[result.produced];
      produced[result.produced++] = token;
      if (token == eos_token) {
        hit_eos = true;
        break;
      }
    }
    if (states) std::copy(state.begin(), state.end(), states + int64_t(result.iterations) * n);
    if (hit_eos) {
      truncate(block_start + result.produced);  // drop the KV of rows after the end of sequence
      break;
    }
    y0 = produced[result.produced - 1];
  }
  return result;
}

}  // namespace cllm
