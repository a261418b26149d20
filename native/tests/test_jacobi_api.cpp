// The Jacobi calls of the C ABI on the CPU backend:
//   - cllm_jacobi_run (refill window, many iterations per call) equals the per-iteration path built on
//     cllm_jacobi_step (testing/jacobi_driver.cpp) exactly: committed tokens, per-iteration accepted and
//     stationary counts, recorded predictions, the next window and prior, and the cache length; for
//     several n, every guess rule, EOS, token limits, a full cache, and generations cut into many calls
//     by token limits and by iteration caps;
//     and its output is the greedy AR output;
//   - cllm_jacobi_block's per-iteration counts add up to the produced tokens and agree with its states;
//   - every bad argument of cllm_jacobi_run is INVALID_ARGUMENT naming it, a full cache is
//     CONTEXT_FULL, and a rejected call changes nothing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "jacobi_driver.hpp"
#include "random_model.hpp"
#include "test_checks.hpp"

using cllm::testing::check;

namespace {

using cllm::testing::checks;
using cllm::testing::expect;
using cllm::testing::failures;

int64_t stationary_seen = 0;  // over every refill case: the comparisons must cover stationary tokens

cllm_model* cpu_model(const cllm_config& config, uint64_t seed) {
  cllm_model* model = nullptr;
  check(cllm::testing::make_random_model(config, CLLM_BACKEND_CPU, 0, seed, CLLM_DTYPE_F32, &model), "model");
  return model;
}

void test_run_equals_steps(const cllm_config& config, uint64_t seed) {
  cllm_model* model = cpu_model(config, seed);
  cllm_session *session = nullptr, *small = nullptr;
  check(cllm_session_create(model, 160, &session), "session");
  check(cllm_session_create(model, 40, &small), "small session");
  const std::vector<int32_t> prompt = {1, 17, 4, 9, 33, 2};
  const std::vector<int32_t> greedy = cllm::testing::greedy_tokens(session, prompt, 120, -1);
  int cases = 0, eos_cases = 0, full_cases = 0, fast_forwarded = 0, stationary = 0;
  for (int32_t n : {1, 2, 5, 16, 64, 70}) {
    for (int32_t kind : {CLLM_GUESS_RANDOM, CLLM_GUESS_LAST, CLLM_GUESS_PAD}) {
      for (int32_t per_call : {1000, 7, 1}) {
        for (int variant = 0; variant < 3; ++variant) {
          cllm::testing::RefillSettings s;
          s.n = n;
          s.guess_kind = kind;
          s.seed = 977 * uint64_t(n) + uint64_t(kind);
          s.pad_token = 3;
          s.tokens_per_call = per_call;
          s.iterations_per_call = variant == 1 ? 3 : 1 << 30;  // cut by iterations: nothing changes
          s.record_predictions = variant != 1;
          s.max_tokens = variant == 0 ? 90 : 50;
          // variant 1: an EOS that the greedy output reaches (the first occurrence of its 20th token).
          s.eos = variant == 1 ? greedy[19] : -1;
          cllm_session* target = variant == 2 ? small : session;  // variant 2: the cache fills up
          const auto steps = cllm::testing::refill_with_steps(target, prompt, s);
          const auto runs = cllm::testing::refill_with_runs(target, prompt, s);
          const std::string what = "n=" + std::to_string(n) + " kind=" + std::to_string(kind) +
                                   " per call=" + std::to_string(per_call) + " variant=" + std::to_string(variant);
          expect(runs == steps, "cllm_jacobi_run == cllm_jacobi_step loop, " + what);
          // Lossless: the greedy output, up to EOS, the limit or the cache.
          const size_t expected_count = variant == 2 ? 40 - (prompt.size() - 1) : size_t(s.max_tokens);
          std::vector<int32_t> reference(greedy.begin(), greedy.begin() + std::ptrdiff_t(expected_count));
          if (variant == 1) {
            size_t first = 0;
            while (reference[first] != s.eos) ++first;
            reference.resize(first + 1);
            ++eos_cases;
          }
          if (variant == 2) ++full_cases;
          expect(runs.committed == reference, "refill run output == greedy AR output, " + what);
          int32_t sum = 0;
          for (size_t j = 0; j < runs.accepted.size(); ++j) {
            sum += runs.accepted[j];
            fast_forwarded += runs.accepted[j] - 1;
            stationary += runs.stationary[j];
            expect(runs.stationary[j] >= 0 && runs.stationary[j] <= runs.accepted[j] - 1,
                   "stationary <= fast-forwarded");
          }
          expect(sum == int32_t(runs.committed.size()), "accepted counts add up to the committed tokens, " + what);
          expect(runs.length == int32_t(prompt.size()) - 1 + int32_t(runs.committed.size()),
                 "the cache holds the prompt and all but the last committed token, " + what);
          ++cases;
        }
      }
    }
  }
  std::printf("refill run == steps: %d cases (%d with EOS, %d filling the cache), %d fast-forwarded, %d stationary\n",
              cases, eos_cases, full_cases, fast_forwarded, stationary);
  expect(fast_forwarded > 0, "the cases exercise fast-forwarded tokens");
  stationary_seen += stationary;
  cllm_session_free(session);
  cllm_session_free(small);
  cllm_model_free(model);
}

void test_block_counts(const cllm_config& config, uint64_t seed) {
  cllm_model* model = cpu_model(config, seed);
  cllm_session* session = nullptr;
  check(cllm_session_create(model, 128, &session), "session");
  const std::vector<int32_t> prompt = {1, 17, 4, 9, 33, 2};
  const int32_t cached = int32_t(prompt.size()) - 1;
  const std::vector<int32_t> greedy = cllm::testing::greedy_tokens(session, prompt, 64, -1);
  int stationary_total = 0;
  for (int32_t n : {1, 3, 8, 16}) {
    check(cllm_session_truncate(session, 0), "truncate");
    check(cllm_session_forward(session, prompt.data(), cached, nullptr), "prefill");
    int32_t y0 = prompt.back();
    for (int block = 0; block < 4; ++block) {
      // Guesses: the greedy output with every third token wrong, so that tokens after a wrong one are
      // right early (stationary) and blocks take several iterations.
      std::vector<int32_t> init(static_cast<size_t>(n)), produced(static_cast<size_t>(n)), accepted(size_t(n), -1),
          still(size_t(n), -1), states(size_t(n + 1) * size_t(n));
      for (int32_t i = 0; i < n; ++i) {
        const int32_t right = greedy[size_t(block * n + i)];
        init[size_t(i)] = i % 3 == 1 ? (right + 1) % config.vocab_size : right;
      }
      int32_t count = 0, iterations = 0;
      check(cllm_jacobi_block(session, y0, init.data(), n, n, -1, produced.data(), &count, &iterations, accepted.data(),
                              still.data(), states.data()),
            "block");
      // The counts against the recorded states: iteration j made final the positions where state j-1
      // already held state j's value, plus the one after them; a stationary token held it in j-2 too.
      int32_t done = 0, sum = 0;
      for (int32_t j = 1; j <= iterations; ++j) {
        const int32_t* before = states.data() + size_t(j - 1) * size_t(n);
        const int32_t* after = states.data() + size_t(j) * size_t(n);
        int32_t k = 1;
        while (done + k < n && before[done + k - 1] == after[done + k - 1]) ++k;
        int32_t expected_still = 0;
        for (int32_t i = 0; j >= 2 && i < k - 1; ++i) {
          expected_still += states[size_t(j - 2) * size_t(n) + size_t(done + i)] == before[done + i] ? 1 : 0;
        }
        expect(accepted[size_t(j - 1)] == k, "block: accepted count = the converged prefix of the states");
        expect(still[size_t(j - 1)] == expected_still, "block: stationary count from the states");
        stationary_total += expected_still;
        done += k;
        sum += accepted[size_t(j - 1)];
      }
      expect(sum == count, "block: accepted counts add up to the produced tokens");
      // Without states and counts the same block runs and produces the same tokens.
      check(cllm_session_truncate(session, cached + block * n), "rewind");
      std::vector<int32_t> again(static_cast<size_t>(n));
      int32_t count2 = 0, iterations2 = 0;
      check(cllm_jacobi_block(session, y0, init.data(), n, n, -1, again.data(), &count2, &iterations2, nullptr, nullptr,
                              nullptr),
            "block without counts");
      expect(again == produced && count2 == count && iterations2 == iterations, "block: counts are optional");
      y0 = produced[size_t(count - 1)];
    }
  }
  // (Random models rarely predict right after a wrong token, so block stationary tokens are rare here;
  // JacobiDecoderTest's copying model has many.)
  std::printf("block counts: %d stationary tokens seen\n", stationary_total);
  cllm_session_free(session);
  cllm_model_free(model);
}

void test_run_rejects_bad_arguments(const cllm_config& config) {
  cllm_model* model = cpu_model(config, 3);
  cllm_session* session = nullptr;
  check(cllm_session_create(model, 16, &session), "session");
  check(cllm_session_forward(session, std::vector<int32_t>{1, 2, 3}.data(), 3, nullptr), "prefill");
  const int32_t vocab = config.vocab_size;
  struct Args {
    std::vector<int32_t> window{4, 5, 6, 7}, prior{-1, -1, -1, -1}, history{1, 2, 3, 4};
    int32_t n = 4, max_tokens = 8, max_iterations = 100, eos = -1, kind = CLLM_GUESS_RANDOM, pad = 0,
            history_length = 4;
    std::vector<int32_t> committed = std::vector<int32_t>(16), accepted = std::vector<int32_t>(16),
                         stationary = std::vector<int32_t>(16);
    int32_t count = -5, iterations = -5;
    bool null_window = false, null_prior = false, null_history = false, null_committed = false, null_counts = false;
    cllm_status call(cllm_session* s) {
      return cllm_jacobi_run(s, null_window ? nullptr : window.data(), null_prior ? nullptr : prior.data(), n,
                             max_tokens, max_iterations, eos, kind, 7, pad, null_history ? nullptr : history.data(),
                             history_length, null_committed ? nullptr : committed.data(), &count, &iterations,
                             null_counts ? nullptr : accepted.data(), stationary.data(), nullptr);
    }
  };
  struct Case {
    const char* name;  // what the message must mention
    void (*change)(Args&, int32_t vocab);
  };
  const Case cases[] = {
      {"n must", [](Args& a, int32_t) { a.n = 0; }},
      {"max_tokens", [](Args& a, int32_t) { a.max_tokens = 0; }},
      {"max_iterations", [](Args& a, int32_t) { a.max_iterations = 0; }},
      {"window[2]", [](Args& a, int32_t v) { a.window[2] = v; }},
      {"window is NULL", [](Args& a, int32_t) { a.null_window = true; }},
      {"prior[1]", [](Args& a, int32_t) { a.prior[1] = -2; }},
      {"prior is NULL", [](Args& a, int32_t) { a.null_prior = true; }},
      {"eos_token", [](Args& a, int32_t v) { a.eos = v; }},
      {"guess_kind", [](Args& a, int32_t) { a.kind = 3; }},
      {"pad_token",
       [](Args& a, int32_t v) {
         a.kind = CLLM_GUESS_PAD;
         a.pad = v;
       }},
      {"history_length", [](Args& a, int32_t) { a.history_length = 5; }},
      {"history_length", [](Args& a, int32_t) { a.history_length = 0; }},
      {"history[3]", [](Args& a, int32_t) { a.history[3] = -1; }},
      {"history is NULL", [](Args& a, int32_t) { a.null_history = true; }},
      {"committed is NULL", [](Args& a, int32_t) { a.null_committed = true; }},
      {"accepted is NULL", [](Args& a, int32_t) { a.null_counts = true; }},
  };
  for (const Case& c : cases) {
    Args a;
    c.change(a, vocab);
    const std::vector<int32_t> window_before = a.window;
    const cllm_status status = a.call(session);
    const std::string message = cllm_last_error();
    int32_t length = 0;
    check(cllm_session_length(session, &length), "length");
    expect(status == CLLM_ERR_INVALID_ARGUMENT && message.find(c.name) != std::string::npos,
           std::string("run rejects a bad argument naming '") + c.name + "', got: " + message);
    expect(length == 3 && a.window == window_before && a.count == -5,
           std::string("a rejected run changes nothing (") + c.name + ")");
  }
  expect(cllm_jacobi_run(nullptr, nullptr, nullptr, 4, 1, 1, -1, 0, 0, 0, nullptr, 1, nullptr, nullptr, nullptr,
                         nullptr, nullptr, nullptr) == CLLM_ERR_INVALID_ARGUMENT,
         "run on a NULL session");
  // A full cache: CONTEXT_FULL before anything changes; one free position is enough to run.
  std::vector<int32_t> fill(13, 1);
  check(cllm_session_forward(session, fill.data(), 13, nullptr), "fill");
  Args full;
  full.history = std::vector<int32_t>(16, 1);
  full.history_length = 16;
  expect(full.call(session) == CLLM_ERR_CONTEXT_FULL, "run with a full cache is CONTEXT_FULL");
  check(cllm_session_truncate(session, 15), "free one position");
  Args one;
  one.history = std::vector<int32_t>(16, 1);
  one.history_length = 16;
  check(one.call(session), "run with one free position");
  int32_t length = 0;
  check(cllm_session_length(session, &length), "length");
  expect(one.count == 1 && one.iterations == 1 && length == 16, "one free position: one token, one row");
  cllm_session_free(session);
  cllm_model_free(model);
}

}  // namespace

int main() {
  // Untied random models continue a prompt with varied (periodic) tokens; the tied one repeats its last
  // token forever, which makes most guesses right (long fast-forwards, many stationary tokens).
  const cllm_config gqa = cllm::testing::make_config(96, 200, 2, 4, 2, 61, 256, false);
  const cllm_config narrow = cllm::testing::make_config(48, 96, 2, 4, 2, 67, 256, false);
  const cllm_config tied = cllm::testing::make_config(64, 172, 2, 4, 4, 97, 256, true);
  test_run_equals_steps(gqa, 12);
  test_run_equals_steps(narrow, 3);
  test_run_equals_steps(tied, 11);
  expect(stationary_seen > 0, "the refill cases exercise stationary tokens");
  test_block_counts(gqa, 12);
  test_run_rejects_bad_arguments(tied);
  if (failures) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("jacobi api: all checks passed\n");
  return 0;
}
