#include "runner.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "random_model.hpp"
#include "reference_model.hpp"

namespace cllm::bench {
namespace {

using cllm::testing::check;

std::vector<int32_t> some_tokens(int32_t n, int32_t vocab, int32_t salt) {
  std::vector<int32_t> tokens(size_t(std::max(n, 1)));
  for (int32_t i = 0; i < n; ++i) tokens[i] = int32_t((int64_t(i) * 7919 + salt * 104729 + 17) % vocab);
  return tokens;
}

cllm_session* session_with_context(cllm_model* model, const cllm_config& config, int32_t capacity, int32_t context) {
  cllm_session* session = nullptr;
  check(cllm_session_create(model, capacity, &session), "session");
  if (context > 0) {
    const auto prompt = some_tokens(context, config.vocab_size, 1);
    check(cllm_session_forward(session, prompt.data(), context, nullptr), "prompt");
  }
  return session;
}

}  // namespace

std::vector<BlockResult> time_blocks(cllm_model* model, const cllm_config& config, const std::vector<int32_t>& blocks,
                                     int32_t context, int warmup, int iters) {
  const int32_t largest = *std::max_element(blocks.begin(), blocks.end());
  cllm_session* session = session_with_context(model, config, context + largest, context);
  std::vector<BlockResult> results;
  for (int32_t n : blocks) {
    BlockResult r;
    r.n = n;
    const auto tokens = some_tokens(n, config.vocab_size, n);
    std::vector<float> logits(size_t(n) * config.vocab_size);
    std::vector<int32_t> predictions(static_cast<size_t>(n));
    r.forward = time_repeated(warmup, iters, [&] {
      check(cllm_session_forward(session, tokens.data(), n, logits.data()), "forward");
      check(cllm_session_truncate(session, context), "truncate");
    });
    r.jacobi = time_repeated(warmup, iters, [&] {
      int32_t accepted = 0;
      check(cllm_jacobi_step(session, tokens.data(), n, predictions.data(), &accepted), "jacobi step");
      check(cllm_session_truncate(session, context), "truncate");
    });
    results.push_back(r);
  }
  cllm_session_free(session);
  return results;
}

namespace {

// One session's greedy decode loops: per repeat, the seconds it took and each step's time.
void decode(cllm_model* model, const cllm_config& config, int32_t context, int32_t tokens, int repeats,
            std::vector<double>* loop_seconds, std::vector<double>* step_seconds) {
  cllm_session* session = session_with_context(model, config, context + tokens + 1, context);
  std::vector<float> logits(size_t(config.vocab_size));
  for (int rep = 0; rep < repeats + 1; ++rep) {  // the first repeat warms up
    check(cllm_session_truncate(session, context), "truncate");
    int32_t next = 1;
    const double start = now_seconds();
    for (int32_t i = 0; i < tokens; ++i) {
      const double step = now_seconds();
      check(cllm_session_forward(session, &next, 1, logits.data()), "ar forward");
      check(cllm_argmax_rows(logits.data(), 1, config.vocab_size, &next), "argmax");
      if (rep > 0) step_seconds->push_back(now_seconds() - step);
    }
    if (rep > 0) loop_seconds->push_back(now_seconds() - start);
  }
  cllm_session_free(session);
}

}  // namespace

ArResult time_ar(cllm_model* model, const cllm_config& config, int32_t context, int32_t tokens, int repeats,
                 int32_t sessions) {
  ArResult result;
  result.tokens = tokens;
  result.sessions = sessions;
  if (tokens <= 0) return result;
  std::vector<std::vector<double>> loops(static_cast<size_t>(sessions)), steps(static_cast<size_t>(sessions));
  std::vector<std::thread> threads;
  for (int32_t s = 1; s < sessions; ++s) {
    threads.emplace_back([&, s] { decode(model, config, context, tokens, repeats, &loops[s], &steps[s]); });
  }
  decode(model, config, context, tokens, repeats, &loops[0], &steps[0]);
  for (auto& t : threads) t.join();
  double total_rate = 0;
  for (const auto& l : loops) total_rate += tokens / summarize(l).median;
  result.tokens_per_s = total_rate;
  result.per_token = summarize(steps[0]);
  return result;
}

namespace {

std::vector<float> block_logits(cllm_model* model, const cllm_config& config) {
  cllm_session* session = nullptr;
  check(cllm_session_create(model, kLogitsCheckTokens, &session), "session");
  const auto tokens = some_tokens(kLogitsCheckTokens, config.vocab_size, 3);
  std::vector<float> logits(size_t(kLogitsCheckTokens) * config.vocab_size);
  check(cllm_session_forward(session, tokens.data(), kLogitsCheckTokens, logits.data()), "forward");
  cllm_session_free(session);
  return logits;
}

}  // namespace

double logits_error_vs_f32(cllm_model* model, const cllm_config& config, uint64_t seed) {
  cllm_model* reference = nullptr;
  check(cllm::testing::make_random_model(config, CLLM_BACKEND_CPU, 0, seed, CLLM_DTYPE_F32, CLLM_DTYPE_F32, &reference),
        "f32 reference model");
  const std::vector<float> expected = block_logits(reference, config);
  cllm_model_free(reference);
  return cllm::testing::max_relative_error(block_logits(model, config), expected);
}

}  // namespace cllm::bench
