#include "gpu_runner.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gpu_timer.hpp"

namespace cllm::bench {
namespace {

void check(cllm_status status, const char* what) {
  if (status != CLLM_OK) {
    std::fprintf(stderr, "cllm bench (gpu): %s: status %d: %s\n", what, int(status), cllm_last_error());
    std::exit(1);
  }
}

std::vector<int32_t> some_tokens(int32_t n, int32_t vocab, int32_t salt) {
  std::vector<int32_t> tokens(static_cast<size_t>(std::max(n, 1)));
  for (int32_t i = 0; i < n; ++i) tokens[size_t(i)] = int32_t((int64_t(i) * 7919 + salt * 104729 + 17) % vocab);
  return tokens;
}

cllm_session* new_session(cllm_model* model, const cllm_config& config, int32_t capacity, int32_t context,
                          cudaStream_t stream, const char* graph_mode) {
  setenv("CLLM_CUDA_GRAPH_MODE", graph_mode, 1);  // read when the session is created
  cllm_session* session = nullptr;
  check(cllm_session_create(model, capacity, &session), "session");
  check(cllm_session_set_cuda_stream(session, stream), "set stream");
  if (context > 0) {
    const auto prompt = some_tokens(context, config.vocab_size, 1);
    check(cllm_session_forward(session, prompt.data(), context, nullptr), "prompt");
  }
  return session;
}

}  // namespace

std::vector<GpuStepTiming> time_gpu_steps(cllm_model* model, const cllm_config& config,
                                          const std::vector<int32_t>& blocks, int32_t context, int warmup, int iters,
                                          cudaStream_t stream) {
  const int32_t largest = *std::max_element(blocks.begin(), blocks.end());
  cllm_session* session = new_session(model, config, context + largest, context, stream, "while");
  EventTimer timer(stream);
  std::vector<GpuStepTiming> rows;
  for (int32_t n : blocks) {
    const auto tokens = some_tokens(n, config.vocab_size, n);
    std::vector<float> logits(size_t(n) * size_t(config.vocab_size));
    std::vector<int32_t> predictions(static_cast<size_t>(n));
    GpuStepTiming r;
    r.n = n;
    r.forward_ms = timer.median_ms_auto(warmup, iters, [&] {
      check(cllm_session_forward(session, tokens.data(), n, logits.data()), "forward");
      check(cllm_session_truncate(session, context), "truncate");
    });
    r.iteration_ms = timer.median_ms_auto(warmup, iters, [&] {
      int32_t accepted = 0;
      check(cllm_jacobi_step(session, tokens.data(), n, predictions.data(), &accepted), "jacobi step");
      check(cllm_session_truncate(session, context), "truncate");
    });
    rows.push_back(r);
    std::fprintf(stderr, "  n=%-3d forward %.3f ms, iteration %.3f ms\n", n, r.forward_ms, r.iteration_ms);
  }
  check(cllm_session_set_cuda_stream(session, nullptr), "reset stream");
  cllm_session_free(session);
  return rows;
}

std::vector<GpuBlockTiming> time_gpu_blocks(cllm_model* model, const cllm_config& config,
                                            const std::vector<int32_t>& blocks, int32_t context, int warmup, int iters,
                                            cudaStream_t stream) {
  std::vector<GpuBlockTiming> rows;
  for (int32_t n : blocks) {
    if (n < 2) continue;
    GpuBlockTiming row;
    row.n = n;
    for (const char* mode : {"while", "loop"}) {
      cllm_session* session = new_session(model, config, context + n, context, stream, mode);
      EventTimer timer(stream);
      const auto init = some_tokens(n, config.vocab_size, 7 * n);
      std::vector<int32_t> produced(static_cast<size_t>(n));
      int32_t iterations = 0;
      const double ms = timer.median_ms_auto(warmup, iters, [&] {
        int32_t count = 0;
        check(cllm_jacobi_block(session, 5, init.data(), n, n, -1, produced.data(), &count, &iterations, nullptr,
                                nullptr, nullptr),
              "jacobi block");
        check(cllm_session_truncate(session, context), "truncate");
      });
      if (std::strcmp(mode, "while") == 0) {
        row.while_ms = ms;
        row.iterations_while = iterations;
      } else {
        row.loop_ms = ms;
        row.iterations_loop = iterations;
      }
      check(cllm_session_set_cuda_stream(session, nullptr), "reset stream");
      cllm_session_free(session);
    }
    setenv("CLLM_CUDA_GRAPH_MODE", "while", 1);
    std::fprintf(stderr, "  block n=%-3d WHILE graph %.3f ms (%d iterations), host loop %.3f ms (%d)\n", n,
                 row.while_ms, row.iterations_while, row.loop_ms, row.iterations_loop);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace cllm::bench
