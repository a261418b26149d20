// Sampled decoding through the C ABI on the CPU backend:
//   - AR sampling in the engine draws what the host sampler (cllm_sample_row) draws from the engine's
//     own logits and the history, token for token (the engine samples by the definition in cllm.h);
//   - sampled Jacobi (refill windows through cllm_jacobi_step and through native refill runs
//     cllm_jacobi_run, shrinking blocks through cllm_jacobi_block) produces exactly the sampled AR
//     output, over random models, seeds,
//     temperatures, top-k / top-p / min-p, penalties and block sizes;
//   - a batched step (cllm_batch_jacobi_step) gives every session bit-identical predictions, accepted
//     counts and later logits to the same sessions stepping alone, greedy and sampled, AR and Jacobi rows
//     mixed; and bad batches are rejected.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "random_model.hpp"
#include "test_checks.hpp"

using cllm::testing::check;

namespace {

using cllm::testing::checks;
using cllm::testing::expect;
using cllm::testing::failures;

cllm_sampling make_sampling(float temperature, int32_t top_k, float top_p, float min_p, float repetition,
                            float presence, float frequency, int32_t penalty_from, uint64_t seed) {
  cllm_sampling s{};
  s.temperature = temperature;
  s.top_k = top_k;
  s.top_p = top_p;
  s.min_p = min_p;
  s.repetition_penalty = repetition;
  s.presence_penalty = presence;
  s.frequency_penalty = frequency;
  s.penalty_from = penalty_from;
  s.seed = seed;
  return s;
}

std::string describe(const cllm_sampling& s) {
  char text[200];
  std::snprintf(text, sizeof text, "T=%.2f k=%d p=%.2f min_p=%.2f rep=%.2f pres=%.2f freq=%.2f seed=%llu",
                double(s.temperature), s.top_k, double(s.top_p), double(s.min_p), double(s.repetition_penalty),
                double(s.presence_penalty), double(s.frequency_penalty), static_cast<unsigned long long>(s.seed));
  return text;
}

cllm_session* prefilled(cllm_model* model, const std::vector<int32_t>& prompt, const cllm_sampling& s) {
  cllm_session* session;
  check(cllm_session_create(model, 256, &session), "session");
  check(cllm_session_set_sampling(session, &s), "set sampling");
  check(cllm_session_forward(session, prompt.data(), int32_t(prompt.size()) - 1, nullptr), "prompt");
  return session;
}

// AR: one-row steps. Returns the generated tokens (y0 excluded).
std::vector<int32_t> decode_ar(cllm_model* model, const std::vector<int32_t>& prompt, const cllm_sampling& s,
                               int32_t count) {
  cllm_session* session = prefilled(model, prompt, s);
  std::vector<int32_t> out;
  int32_t y0 = prompt.back(), prediction = 0, accepted = 0;
  for (int32_t i = 0; i < count; ++i) {
    check(cllm_jacobi_step(session, &y0, 1, &prediction, &accepted), "AR step");
    out.push_back(y0 = prediction);
  }
  cllm_session_free(session);
  return out;
}

// AR through the host sampler: the engine's logits, the history, cllm_sample_row.
std::vector<int32_t> decode_oracle(cllm_model* model, const cllm_config& c, const std::vector<int32_t>& prompt,
                                   const cllm_sampling& s, int32_t count) {
  cllm_session* session;
  check(cllm_session_create(model, 256, &session), "session");
  std::vector<int32_t> sequence = prompt;
  check(cllm_session_forward(session, prompt.data(), int32_t(prompt.size()) - 1, nullptr), "prompt");
  std::vector<float> logits(size_t(c.vocab_size));
  for (int32_t i = 0; i < count; ++i) {
    check(cllm_session_forward(session, &sequence.back(), 1, logits.data()), "forward");
    const int64_t position = int64_t(sequence.size());
    const int32_t from = std::min<int32_t>(s.penalty_from, int32_t(sequence.size()));
    int32_t token = -1;
    check(cllm_sample_row(logits.data(), c.vocab_size, &s, position, sequence.data() + from,
                          int32_t(sequence.size()) - from, &token),
          "sample row");
    sequence.push_back(token);
  }
  cllm_session_free(session);
  return std::vector<int32_t>(sequence.begin() + int64_t(prompt.size()), sequence.end());
}

// Jacobi with a refill window of n rows through cllm_jacobi_step; guesses drawn from the history.
std::vector<int32_t> decode_refill(cllm_model* model, const std::vector<int32_t>& prompt, const cllm_sampling& s,
                                   int32_t count, int32_t n, uint32_t guess_seed, int32_t* iterations) {
  cllm_session* session = prefilled(model, prompt, s);
  std::mt19937 rng(guess_seed);
  std::vector<int32_t> history = prompt, window(static_cast<size_t>(n)), predictions(static_cast<size_t>(n));
  auto guess = [&] { return history[rng() % history.size()]; };
  window[0] = prompt.back();
  for (int32_t i = 1; i < n; ++i) window[size_t(i)] = guess();
  std::vector<int32_t> out;
  *iterations = 0;
  while (int32_t(out.size()) < count) {
    int32_t accepted = 0;
    check(cllm_jacobi_step(session, window.data(), n, predictions.data(), &accepted), "Jacobi step");
    ++*iterations;
    for (int32_t i = 0; i < accepted; ++i) {
      out.push_back(predictions[size_t(i)]);
      history.push_back(predictions[size_t(i)]);
    }
    const int32_t carried = n - accepted + 1;
    std::copy(predictions.begin() + (accepted - 1), predictions.end(), window.begin());
    for (int32_t i = carried; i < n; ++i) window[size_t(i)] = guess();
  }
  cllm_session_free(session);
  out.resize(size_t(count));
  return out;
}

// Jacobi with shrinking blocks of n through cllm_jacobi_block.
std::vector<int32_t> decode_blocks(cllm_model* model, const std::vector<int32_t>& prompt, const cllm_sampling& s,
                                   int32_t count, int32_t n) {
  cllm_session* session = prefilled(model, prompt, s);
  std::vector<int32_t> out, state(static_cast<size_t>(n)), produced(static_cast<size_t>(n));
  int32_t y0 = prompt.back();
  while (int32_t(out.size()) < count) {
    for (int32_t i = 0; i < n; ++i) state[size_t(i)] = (y0 + 3 * i) % 50;  // deliberately poor guesses
    int32_t got = 0, iterations = 0;
    check(cllm_jacobi_block(session, y0, state.data(), n, n, -1, produced.data(), &got, &iterations, nullptr, nullptr,
                            nullptr),
          "Jacobi block");
    out.insert(out.end(), produced.begin(), produced.begin() + got);
    y0 = produced[size_t(got - 1)];
  }
  cllm_session_free(session);
  out.resize(size_t(count));
  return out;
}

// Jacobi with a refill window in native runs (cllm_jacobi_run), cut into calls of a few iterations.
std::vector<int32_t> decode_run(cllm_model* model, const std::vector<int32_t>& prompt, const cllm_sampling& s,
                                int32_t count, int32_t n, uint64_t guess_seed) {
  cllm_session* session = prefilled(model, prompt, s);
  std::vector<int32_t> history = prompt, window(static_cast<size_t>(n), prompt.back()),
                       prior(static_cast<size_t>(n), -1);
  std::vector<int32_t> committed(static_cast<size_t>(count)), accepted(static_cast<size_t>(count)),
      stationary(static_cast<size_t>(count));
  while (int32_t(history.size() - prompt.size()) < count) {
    const int32_t left = count - int32_t(history.size() - prompt.size());
    int32_t got = 0, iterations = 0;
    check(cllm_jacobi_run(session, window.data(), prior.data(), n, left, 3, -1, CLLM_GUESS_RANDOM, int64_t(guess_seed),
                          0, history.data(), int32_t(history.size()), committed.data(), &got, &iterations,
                          accepted.data(), stationary.data(), nullptr),
          "Jacobi run");
    history.insert(history.end(), committed.begin(), committed.begin() + got);
  }
  cllm_session_free(session);
  return std::vector<int32_t>(history.begin() + int64_t(prompt.size()),
                              history.begin() + int64_t(prompt.size()) + count);
}

void test_sampled_jacobi_equals_ar() {
  std::mt19937 rng(11);
  const cllm_config configs[2] = {cllm::testing::make_config(64, 172, 2, 4, 4, 97, 256, true),
                                  cllm::testing::make_config(96, 200, 2, 6, 2, 61, 256, false)};
  const float temperatures[] = {0.05f, 0.3f, 0.7f, 1.0f, 1.5f};
  int runs = 0, multi_token_iterations = 0;
  for (int trial = 0; trial < 24; ++trial) {
    const cllm_config& c = configs[trial % 2];
    cllm_model* model;
    check(cllm::testing::make_random_model(c, CLLM_BACKEND_CPU, 0, 100 + uint64_t(trial), CLLM_DTYPE_F32, &model),
          "model");
    std::vector<int32_t> prompt(size_t(3 + rng() % 6));
    for (int32_t& t : prompt) t = int32_t(rng() % uint32_t(c.vocab_size));
    const float temperature = temperatures[rng() % 5];
    const int32_t top_k = rng() % 3 == 0 ? int32_t(1 + rng() % 8) : 0;
    const float top_p = rng() % 3 == 0 ? 0.5f + float(rng() % 50) / 100.0f : 1.0f;
    const float min_p = rng() % 4 == 0 ? 0.05f : 0.0f;
    const bool penalties = trial % 4 == 3;
    const cllm_sampling s =
        make_sampling(temperature, top_k, top_p, min_p, penalties ? 1.3f : 1.0f, penalties ? 0.4f : 0.0f,
                      penalties ? 0.1f : 0.0f, penalties ? int32_t(prompt.size()) - int32_t(rng() % 2) : 0, rng());
    const int32_t count = 40;
    const std::vector<int32_t> ar = decode_ar(model, prompt, s, count);
    expect(ar == decode_oracle(model, c, prompt, s, count),
           "engine AR sampling draws what cllm_sample_row draws (" + describe(s) + ")");
    for (int32_t n : {2, 5, 16}) {
      int32_t iterations = 0;
      expect(decode_refill(model, prompt, s, count, n, rng(), &iterations) == ar,
             "refill Jacobi n=" + std::to_string(n) + " equals AR (" + describe(s) + ")");
      if (iterations < count) ++multi_token_iterations;
      expect(decode_blocks(model, prompt, s, count, n) == ar,
             "block Jacobi n=" + std::to_string(n) + " equals AR (" + describe(s) + ")");
      expect(decode_run(model, prompt, s, count, n, rng()) == ar,
             "native refill runs n=" + std::to_string(n) + " equal AR (" + describe(s) + ")");
      ++runs;
    }
    cllm_model_free(model);
  }
  expect(runs == 72, "all Jacobi runs happened");
  // Low temperatures make sampled Jacobi accept several tokens per pass, so the acceptance path is
  // exercised and not only the one-token-per-pass case.
  expect(multi_token_iterations > 0, "some sampled Jacobi runs needed fewer passes than tokens");
}

// One batch step against the same sessions stepping alone, for a CPU weight type (fp32, bf16, Q8_0).
void test_batch_bit_identical(int32_t weight_type) {
  const cllm_config c = cllm::testing::make_config(96, 200, 3, 6, 2, 131, 256, false);
  cllm_model* model;
  check(cllm::testing::make_random_model(c, CLLM_BACKEND_CPU, 0, 9, CLLM_DTYPE_F32, weight_type, &model), "model");
  const int32_t count = 5;
  const int32_t ns[count] = {1, 4, 16, 1, 7};
  const cllm_sampling samplings[count] = {
      make_sampling(0, 0, 1, 0, 1, 0, 0, 0, 0), make_sampling(0.8f, 0, 0.9f, 0, 1, 0, 0, 0, 5),
      make_sampling(1.2f, 5, 1, 0, 1.2f, 0.3f, 0.1f, 3, 7), make_sampling(0.5f, 0, 1, 0.1f, 1, 0, 0, 0, 9),
      make_sampling(0, 0, 1, 0, 1.5f, 0, 0, 0, 0)};
  std::mt19937 rng(5);
  std::vector<cllm_session*> alone(count), batched(count);
  std::vector<int32_t> y0(count);
  for (int32_t s = 0; s < count; ++s) {
    std::vector<int32_t> prompt(size_t(2 + s * 3));
    for (int32_t& t : prompt) t = int32_t(rng() % uint32_t(c.vocab_size));
    alone[size_t(s)] = prefilled(model, prompt, samplings[s]);
    batched[size_t(s)] = prefilled(model, prompt, samplings[s]);
    y0[size_t(s)] = prompt.back();
  }
  cllm_batch* batch;
  check(cllm_batch_create(model, 64, &batch), "batch");
  int32_t total = 0;
  for (int32_t n : ns) total += n;
  const size_t rows = size_t(total);
  std::vector<int32_t> windows(rows, 0), batch_predictions(rows), alone_predictions(rows);
  std::vector<int32_t> batch_accepted(count), alone_accepted(count);
  bool identical = true;
  for (int32_t step = 0; step < 12; ++step) {
    // Windows: y0 and random guesses, so sessions accept different counts.
    int32_t offset = 0;
    for (int32_t s = 0; s < count; ++s) {
      windows[size_t(offset)] = y0[size_t(s)];
      for (int32_t i = 1; i < ns[s]; ++i) windows[size_t(offset + i)] = int32_t(rng() % uint32_t(c.vocab_size));
      offset += ns[s];
    }
    check(cllm_batch_jacobi_step(batch, batched.data(), count, windows.data(), ns, batch_predictions.data(),
                                 batch_accepted.data()),
          "batch step");
    offset = 0;
    for (int32_t s = 0; s < count; ++s) {
      check(cllm_jacobi_step(alone[size_t(s)], windows.data() + offset, ns[s], alone_predictions.data() + offset,
                             &alone_accepted[size_t(s)]),
            "step alone");
      offset += ns[s];
    }
    identical = identical && batch_predictions == alone_predictions && batch_accepted == alone_accepted;
    offset = 0;
    for (int32_t s = 0; s < count; ++s) {
      y0[size_t(s)] = alone_predictions[size_t(offset + alone_accepted[size_t(s)] - 1)];
      int32_t la = 0, lb = 0;
      check(cllm_session_length(alone[size_t(s)], &la), "length");
      check(cllm_session_length(batched[size_t(s)], &lb), "length");
      identical = identical && la == lb;
      offset += ns[s];
    }
  }
  expect(identical, "batched steps give the predictions, accepted counts and lengths of steps alone (weights " +
                        std::to_string(weight_type) + ")");
  // The caches hold the same values bit for bit: the next logits agree exactly.
  std::vector<float> a(size_t(c.vocab_size)), b(size_t(c.vocab_size));
  for (int32_t s = 0; s < count; ++s) {
    check(cllm_session_forward(alone[size_t(s)], &y0[size_t(s)], 1, a.data()), "forward");
    check(cllm_session_forward(batched[size_t(s)], &y0[size_t(s)], 1, b.data()), "forward");
    expect(a == b, "session " + std::to_string(s) + ": logits after batched steps equal those after steps alone");
  }
  // Bad batches: a session twice, too many rows, a window token outside the vocabulary, a full session.
  cllm_session* twice[2] = {batched[0], batched[0]};
  const int32_t one[2] = {1, 1};
  int32_t p[64], k[5];
  const int32_t tokens[64] = {0};
  expect(cllm_batch_jacobi_step(batch, twice, 2, tokens, one, p, k) == CLLM_ERR_INVALID_ARGUMENT &&
             std::string(cllm_last_error()).find("twice") != std::string::npos,
         "a session twice in one batch is rejected");
  const int32_t wide[2] = {40, 40};
  expect(cllm_batch_jacobi_step(batch, batched.data(), 2, tokens, wide, p, k) == CLLM_ERR_INVALID_ARGUMENT,
         "more rows than the batch holds are rejected");
  const int32_t bad_token[1] = {c.vocab_size};
  expect(cllm_batch_jacobi_step(batch, batched.data(), 1, bad_token, one, p, k) == CLLM_ERR_INVALID_ARGUMENT,
         "a window token outside the vocabulary is rejected");
  cllm_model* other;
  check(cllm::testing::make_random_model(c, CLLM_BACKEND_CPU, 0, 10, CLLM_DTYPE_F32, &other), "model");
  cllm_session* stranger;
  check(cllm_session_create(other, 16, &stranger), "session");
  expect(cllm_batch_jacobi_step(batch, &stranger, 1, tokens, one, p, k) == CLLM_ERR_INVALID_ARGUMENT,
         "a session of another model is rejected");
  cllm_session* small;
  check(cllm_session_create(model, 4, &small), "session");
  const int32_t four[1] = {5};
  expect(cllm_batch_jacobi_step(batch, &small, 1, tokens, four, p, k) == CLLM_ERR_CONTEXT_FULL,
         "a session without room for its rows is refused with CONTEXT_FULL");
  cllm_session_free(small);
  cllm_session_free(stranger);
  cllm_model_free(other);
  cllm_batch_free(batch);
  for (int32_t s = 0; s < count; ++s) {
    cllm_session_free(alone[size_t(s)]);
    cllm_session_free(batched[size_t(s)]);
  }
  cllm_model_free(model);
}

}  // namespace

int main() {
  test_sampled_jacobi_equals_ar();
  for (int32_t weights : {int32_t(CLLM_DTYPE_F32), int32_t(CLLM_DTYPE_BF16), int32_t(CLLM_DTYPE_Q8_0)}) {
    test_batch_bit_identical(weights);
  }
  if (failures) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("sampled decoding and batched steps: all checks passed\n");
  return 0;
}
