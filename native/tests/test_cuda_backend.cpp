// The CUDA backend through the C ABI, against the CPU backend and against itself:
//   - logits: CUDA vs CPU on the same (bf16) weights, relative error <= 2e-2, odd shapes and GQA;
//   - a block forward vs token-by-token forwards on the GPU, truncation and re-forward;
//   - Jacobi output == greedy AR output on the GPU: exactly by default (CLLM_CUDA_GEMV_ROWS unset: the
//     tensor-core path for every row count), and with the GEMV opt-in wherever the top-2 margin is clear;
//   - the WHILE-graph block == the host loop of iteration graphs == plain launches (tokens, iteration
//     counts, per-iteration accepted and stationary counts, recorded states, cache length, later
//     logits), with EOS and iteration caps;
//   - refill runs (cllm_jacobi_run): WHILE graph == host loop == plain launches == the per-iteration
//     path of cllm_jacobi_step (testing/jacobi_driver.cpp, the rules of the CPU reference) on the same
//     GPU: committed tokens, counts, recorded predictions (also over several launches), next window,
//     prior and cache length, with every guess rule, EOS, token limits and a full cache; and the
//     output == greedy AR on the tensor-core path;
//   - a caller's stream (cllm_session_set_cuda_stream), device info, and errors that come back as
//     statuses (bad ordinal, out of device memory, context full) with the process alive.
// Without a GPU it checks the no-device errors and prints "SKIP: no CUDA device".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <cuda_runtime.h>

#include "jacobi_driver.hpp"
#include "random_model.hpp"
#include "reference_model.hpp"
#include "test_checks.hpp"

using cllm::testing::check;

namespace {

using cllm::testing::checks;
using cllm::testing::expect;
using cllm::testing::failures;

using cllm::testing::max_relative_error;

bool contains(const char* text, const char* part) { return std::strstr(text, part) != nullptr; }

// gemv_rows nullptr: CLLM_CUDA_GEMV_ROWS unset, so the model gets the backend's default.
cllm_model* cuda_model(const cllm_config& config, uint64_t seed, const char* graph_mode = "while",
                       const char* gemv_rows = nullptr) {
  setenv("CLLM_CUDA_GRAPH_MODE", graph_mode, 1);
  if (gemv_rows)
    setenv("CLLM_CUDA_GEMV_ROWS", gemv_rows, 1);
  else
    unsetenv("CLLM_CUDA_GEMV_ROWS");
  cllm_model* model = nullptr;
  check(cllm::testing::make_random_model(config, CLLM_BACKEND_CUDA, 0, seed, CLLM_DTYPE_BF16, &model), "cuda model");
  return model;
}

cllm_model* cpu_model(const cllm_config& config, uint64_t seed) {
  cllm_model* model = nullptr;
  check(cllm::testing::make_random_model(config, CLLM_BACKEND_CPU, 0, seed, CLLM_DTYPE_BF16, &model), "cpu model");
  return model;
}

void test_no_device() {
  int32_t count = -1;
  expect(cllm_cuda_device_count(&count) == CLLM_OK && count == 0, "no device: count is 0");
  const cllm_config config = cllm::testing::make_config(64, 172, 2, 4, 4, 97, 64, true);
  cllm_model* model = nullptr;
  const cllm_status status = cllm_model_create(&config, CLLM_BACKEND_CUDA, 0, &model);
  expect(status == CLLM_ERR_UNSUPPORTED && model == nullptr, "no device: a CUDA model is UNSUPPORTED");
  expect(contains(cllm_last_error(), "no CUDA device"), std::string("clear message, got: ") + cllm_last_error());
  char name[64];
  expect(cllm_cuda_device_info(0, name, sizeof name, nullptr, nullptr, nullptr) == CLLM_ERR_UNSUPPORTED,
         "no device: device info is UNSUPPORTED");
  expect(cllm_backend_available(CLLM_BACKEND_CUDA) == CLLM_ERR_UNSUPPORTED, "no device: backend unavailable");
  // The CPU path is unaffected, and CPU sessions have no CUDA stream.
  cllm_model* cpu = cpu_model(config, 1);
  cllm_session* session = nullptr;
  check(cllm_session_create(cpu, 16, &session), "cpu session");
  int dummy = 0;
  expect(cllm_session_set_cuda_stream(session, &dummy) == CLLM_ERR_UNSUPPORTED, "CPU session: no CUDA stream");
  int32_t token = 3;
  expect(cllm_session_forward(session, &token, 1, nullptr) == CLLM_OK, "CPU forward still works");
  cllm_session_free(session);
  cllm_model_free(cpu);
}

void test_device_info() {
  char name[256];
  int64_t memory = 0;
  int32_t major = 0, minor = 0;
  check(cllm_cuda_device_info(0, name, sizeof name, &memory, &major, &minor), "device info");
  std::printf("device 0: %s, %.1f GiB, cc %d.%d\n", name, double(memory) / (1 << 30), major, minor);
  expect(std::strlen(name) > 0 && memory > 0 && major >= 7, "device info is filled");
  char tiny[4];
  check(cllm_cuda_device_info(0, tiny, sizeof tiny, nullptr, nullptr, nullptr), "device info, short name buffer");
  expect(std::strlen(tiny) <= 3, "the name is truncated to the buffer");
  int32_t count = 0;
  check(cllm_cuda_device_count(&count), "count");
  expect(cllm_cuda_device_info(count, name, sizeof name, nullptr, nullptr, nullptr) == CLLM_ERR_INVALID_ARGUMENT,
         "device info: ordinal out of range");
}

void test_logits_match_cpu(const cllm_config& config, const char* label) {
  cllm_model* gpu = cuda_model(config, 21);
  cllm_model* cpu = cpu_model(config, 21);
  cllm_session *gs = nullptr, *cs = nullptr;
  // Capacity 400: attention chunks of 256 positions, so the later rows merge two chunks.
  check(cllm_session_create(gpu, 400, &gs), "gpu session");
  check(cllm_session_create(cpu, 400, &cs), "cpu session");
  const int32_t vocab = config.vocab_size;
  // A prompt of several 64-row chunks, then blocks of several widths.
  std::vector<int32_t> tokens(350);
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = int32_t((i * 37 + 5) % size_t(vocab));
  std::vector<float> gl(tokens.size() * size_t(vocab)), cl(tokens.size() * size_t(vocab));
  check(cllm_session_forward(gs, tokens.data(), 270, gl.data()), "gpu forward");
  check(cllm_session_forward(cs, tokens.data(), 270, cl.data()), "cpu forward");
  size_t done = 270;
  for (int32_t n : {1, 3, 8, 16, 52}) {
    check(cllm_session_forward(gs, tokens.data() + done, n, gl.data() + done * size_t(vocab)), "gpu forward");
    check(cllm_session_forward(cs, tokens.data() + done, n, cl.data() + done * size_t(vocab)), "cpu forward");
    done += size_t(n);
  }
  gl.resize(done * size_t(vocab));
  cl.resize(done * size_t(vocab));
  const double error = max_relative_error(gl, cl);
  std::printf("  %s: CUDA vs CPU logits over %zu positions: rel err %.3g\n", label, done, error);
  expect(error <= 2e-2, std::string(label) + ": CUDA logits match the CPU backend");
  // Truncate and re-forward: the same logits again (the same tensor-core path: bit-identical rows).
  const size_t cut = done - 10;
  check(cllm_session_truncate(gs, int32_t(cut)), "truncate");
  std::vector<float> again(size_t(done - cut) * size_t(vocab));
  check(cllm_session_forward(gs, tokens.data() + cut, int32_t(done - cut), again.data()), "re-forward");
  const std::vector<float> before(gl.begin() + ptrdiff_t(cut) * vocab, gl.end());
  expect(max_relative_error(again, before) <= 1e-6,
         std::string(label) + ": truncate then re-forward reproduces the logits");
  cllm_session_free(gs);
  cllm_session_free(cs);
  cllm_model_free(gpu);
  cllm_model_free(cpu);
}

struct Greedy {
  std::vector<int32_t> tokens;
  std::vector<float> margins;  // top-1 minus top-2 logit at each step
};

Greedy greedy_ar(cllm_model* model, const std::vector<int32_t>& prompt, int32_t total, int32_t vocab) {
  cllm_session* s = nullptr;
  check(cllm_session_create(model, 256, &s), "ar session");
  check(cllm_session_forward(s, prompt.data(), int32_t(prompt.size()) - 1, nullptr), "prompt");
  int32_t next = prompt.back();
  std::vector<float> logits(static_cast<size_t>(vocab));
  Greedy g;
  for (int32_t i = 0; i < total; ++i) {
    check(cllm_session_forward(s, &next, 1, logits.data()), "ar step");
    check(cllm_argmax_rows(logits.data(), 1, vocab, &next), "argmax");
    float second = -INFINITY;
    for (int32_t v = 0; v < vocab; ++v) {
      if (v != next) second = std::fmax(second, logits[size_t(v)]);
    }
    g.tokens.push_back(next);
    g.margins.push_back(logits[size_t(next)] - second);
  }
  cllm_session_free(s);
  return g;
}

struct BlockRun {
  std::vector<int32_t> output, iterations, states, accepted, stationary;
  int32_t length = 0;
  std::vector<float> final_logits;
};

// Jacobi blocks of n from a poor guess until total tokens exist (or EOS), recording states.
BlockRun jacobi_blocks(cllm_model* model, const std::vector<int32_t>& prompt, int32_t n, int32_t total,
                       int32_t max_iterations, int32_t eos, int32_t vocab, void* stream = nullptr) {
  cllm_session* s = nullptr;
  check(cllm_session_create(model, 256, &s), "jacobi session");
  if (stream) check(cllm_session_set_cuda_stream(s, stream), "set stream");
  check(cllm_session_forward(s, prompt.data(), int32_t(prompt.size()) - 1, nullptr), "prompt");
  int32_t y0 = prompt.back();
  std::vector<int32_t> init(size_t(n), 3), produced(static_cast<size_t>(n)),
      states(size_t(max_iterations + 1) * size_t(n));
  std::vector<int32_t> accepted(static_cast<size_t>(n)), stationary(static_cast<size_t>(n));
  BlockRun run;
  while (int32_t(run.output.size()) < total) {
    int32_t count = 0, iterations = 0;
    check(cllm_jacobi_block(s, y0, init.data(), n, max_iterations, eos, produced.data(), &count, &iterations,
                            accepted.data(), stationary.data(), states.data()),
          "jacobi block");
    int32_t counted = 0;
    for (int32_t j = 0; j < iterations; ++j) counted += accepted[size_t(j)];
    expect(counted == count, "block accepted counts add up to the produced tokens");
    run.output.insert(run.output.end(), produced.begin(), produced.begin() + count);
    run.accepted.insert(run.accepted.end(), accepted.begin(), accepted.begin() + iterations);
    run.stationary.insert(run.stationary.end(), stationary.begin(), stationary.begin() + iterations);
    run.iterations.push_back(iterations);
    run.states.insert(run.states.end(), states.begin(), states.begin() + size_t(iterations + 1) * size_t(n));
    y0 = produced[size_t(count - 1)];
    if (eos >= 0 && y0 == eos) break;
    for (int32_t i = 0; i < n; ++i) init[size_t(i)] = produced[size_t((i + 1) % count)];  // a guess from history
  }
  check(cllm_session_length(s, &run.length), "length");
  run.final_logits.resize(static_cast<size_t>(vocab));
  check(cllm_session_forward(s, &y0, 1, run.final_logits.data()), "forward after the blocks");
  if (stream) check(cllm_session_set_cuda_stream(s, nullptr), "reset stream");
  cllm_session_free(s);
  return run;
}

void test_jacobi_equals_ar(const cllm_config& config) {
  const std::vector<int32_t> prompt = {1, 17, 4, 9, 33};
  const int32_t total = 48, vocab = config.vocab_size;
  // The default (tensor cores for every row count): each row's arithmetic is the same at any width,
  // so Jacobi output equals AR output exactly, near ties included.
  {
    cllm_model* model = cuda_model(config, 11);
    const Greedy ar = greedy_ar(model, prompt, total, vocab);
    for (int32_t n : {1, 2, 3, 4, 5, 7, 16, 33, 64}) {
      BlockRun run = jacobi_blocks(model, prompt, n, total, n, -1, vocab);
      run.output.resize(static_cast<size_t>(total));
      expect(run.output == ar.tokens, "Jacobi == AR on the GPU (default path), n = " + std::to_string(n));
    }
    cllm_model_free(model);
  }
  // The GEMV opt-in (CUDA cores for up to 4 rows, so AR steps round differently from wide windows):
  // equal wherever the AR top-2 margin is clear.
  {
    cllm_model* model = cuda_model(config, 11, "while", "4");
    const Greedy ar = greedy_ar(model, prompt, total, vocab);
    for (int32_t n : {4, 16}) {
      BlockRun run = jacobi_blocks(model, prompt, n, total, n, -1, vocab);
      size_t first_difference = 0;
      while (first_difference < size_t(total) && run.output[first_difference] == ar.tokens[first_difference]) {
        ++first_difference;
      }
      if (first_difference < size_t(total)) {
        const float margin = ar.margins[first_difference];
        std::printf("  n=%d: first difference at %zu, AR top-2 margin %.3g\n", n, first_difference, double(margin));
        expect(margin < 1e-3f, "Jacobi differs from AR only at a near tie, n = " + std::to_string(n));
      }
    }
    cllm_model_free(model);
  }
}

void test_graph_modes_agree(const cllm_config& config) {
  const std::vector<int32_t> prompt = {2, 8, 5};
  const int32_t vocab = config.vocab_size;
  // EOS: a token the model produces early, so some blocks stop at it.
  cllm_model* probe = cuda_model(config, 13);
  const Greedy ar = greedy_ar(probe, prompt, 24, vocab);
  cllm_model_free(probe);
  const int32_t eos = ar.tokens[17];
  for (int32_t eos_token : {-1, eos}) {
    for (int32_t cap : {64, 3}) {
      const int32_t n = 16;
      std::vector<BlockRun> runs;
      for (const char* mode : {"while", "loop", "eager"}) {
        cllm_model* model = cuda_model(config, 13, mode);
        runs.push_back(jacobi_blocks(model, prompt, n, 40, std::min(cap, n), eos_token, vocab));
        cllm_model_free(model);
      }
      for (size_t m = 1; m < runs.size(); ++m) {
        const std::string what = std::string(m == 1 ? "host loop" : "eager launches") + " == WHILE graph (eos " +
                                 std::to_string(eos_token) + ", cap " + std::to_string(cap) + ")";
        expect(runs[m].output == runs[0].output && runs[m].iterations == runs[0].iterations &&
                   runs[m].states == runs[0].states && runs[m].length == runs[0].length &&
                   runs[m].accepted == runs[0].accepted && runs[m].stationary == runs[0].stationary &&
                   std::memcmp(runs[m].final_logits.data(), runs[0].final_logits.data(),
                               sizeof(float) * size_t(vocab)) == 0,
               what);
      }
      if (eos_token >= 0) expect(runs[0].output.back() == eos_token, "a block stops at EOS");
    }
  }
  // A caller's stream gives the same result.
  cllm_model* model = cuda_model(config, 13);
  cudaStream_t stream = nullptr;
  if (cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking) != cudaSuccess) {
    expect(false, "cudaStreamCreate");
    return;
  }
  const BlockRun own = jacobi_blocks(model, prompt, 8, 24, 8, -1, vocab);
  const BlockRun theirs = jacobi_blocks(model, prompt, 8, 24, 8, -1, vocab, stream);
  expect(own.output == theirs.output && own.states == theirs.states, "a caller's CUDA stream gives the same blocks");
  cudaStreamDestroy(stream);
  cllm_model_free(model);
}

// Refill runs on the GPU: the device loop in each graph mode against the per-iteration path.
void test_refill_runs(const cllm_config& config) {
  const std::vector<int32_t> prompt = {2, 8, 5, 11};
  const int32_t vocab = config.vocab_size;
  // Greedy AR on the tensor-core path (every row computed alike at any width): runs must equal it.
  cllm_model* exact = cuda_model(config, 17, "while", "0");
  cllm_session* ar_session = nullptr;
  check(cllm_session_create(exact, 256, &ar_session), "ar session");
  const std::vector<int32_t> greedy = cllm::testing::greedy_tokens(ar_session, prompt, 150, -1);
  cllm_session_free(ar_session);
  for (int32_t n : {4, 16, 64}) {
    cllm::testing::RefillSettings s;
    s.n = n;
    s.max_tokens = 150;
    s.tokens_per_call = 150;
    s.record_predictions = true;  // n = 64: 65 iterations per launch, so this run takes several
    cllm_session* session = nullptr;
    check(cllm_session_create(exact, 256, &session), "session");
    const auto run = cllm::testing::refill_with_runs(session, prompt, s);
    cllm_session_free(session);
    expect(run.committed == greedy, "refill run == greedy AR on the GPU (tensor-core path), n = " + std::to_string(n));
  }
  cllm_model_free(exact);

  // An EOS the output reaches, so some cases stop there.
  const int32_t eos = greedy[30];
  struct Case {
    int32_t n, max_tokens, per_call, iterations_per_call, eos, kind, capacity;
    bool record;
  };
  const int32_t all = 1 << 30;
  const Case cases[] = {
      {16, 120, 120, all, -1, CLLM_GUESS_RANDOM, 256, false}, {16, 120, 9, all, -1, CLLM_GUESS_LAST, 256, true},
      {7, 100, 100, 5, eos, CLLM_GUESS_PAD, 256, true},       {33, 100, 40, all, eos, CLLM_GUESS_RANDOM, 256, false},
      {16, 200, 200, all, -1, CLLM_GUESS_RANDOM, 60, true},   {64, 150, 150, all, -1, CLLM_GUESS_RANDOM, 256, true},
      {64, 150, 150, 70, -1, CLLM_GUESS_LAST, 256, true},     {1, 20, 20, 3, -1, CLLM_GUESS_RANDOM, 256, false},
  };
  for (const Case& c : cases) {
    cllm::testing::RefillSettings s;
    s.n = c.n;
    s.max_tokens = c.max_tokens;
    s.tokens_per_call = c.per_call;
    s.iterations_per_call = c.iterations_per_call;
    s.eos = c.eos;
    s.guess_kind = c.kind;
    s.seed = 1234567 + uint64_t(c.n);
    s.pad_token = 1;
    s.record_predictions = c.record;
    const std::string what = "n=" + std::to_string(c.n) + " per call " + std::to_string(c.per_call) + " tokens, " +
                             std::to_string(c.iterations_per_call) + " iterations, eos " + std::to_string(c.eos) +
                             " kind " + std::to_string(c.kind) + " capacity " + std::to_string(c.capacity);
    std::vector<cllm::testing::RefillOutput> runs;
    std::vector<std::vector<float>> after;  // logits of a forward after the run: the cache is the same
    for (const char* mode : {"while", "loop", "eager"}) {
      cllm_model* model = cuda_model(config, 19, mode);
      cllm_session* session = nullptr;
      check(cllm_session_create(model, c.capacity, &session), "session");
      runs.push_back(cllm::testing::refill_with_runs(session, prompt, s));
      if (runs.back().length < c.capacity) {
        std::vector<float> logits(static_cast<size_t>(vocab));
        check(cllm_session_forward(session, runs.back().window.data(), 1, logits.data()), "forward after the run");
        after.push_back(logits);
      }
      if (std::strcmp(mode, "while") == 0) {
        const auto steps = cllm::testing::refill_with_steps(session, prompt, s);
        expect(steps == runs.back(), "refill run (WHILE graph) == the per-iteration path, " + what);
      }
      cllm_session_free(session);
      cllm_model_free(model);
    }
    expect(runs[1] == runs[0], "refill run: host loop == WHILE graph, " + what);
    expect(runs[2] == runs[0], "refill run: eager launches == WHILE graph, " + what);
    for (size_t m = 1; m < after.size(); ++m) {
      expect(std::memcmp(after[m].data(), after[0].data(), sizeof(float) * size_t(vocab)) == 0,
             "refill run: the same cache in every graph mode, " + what);
    }
    if (c.eos >= 0)
      expect(!runs[0].committed.empty() && runs[0].committed.back() == c.eos, "a refill run stops at EOS");
    if (c.capacity == 60) expect(runs[0].length == 60, "a refill run stops at a full cache");
  }
}

void test_errors(const cllm_config& config) {
  int32_t count = 0;
  check(cllm_cuda_device_count(&count), "count");
  cllm_model* model = nullptr;
  expect(cllm_model_create(&config, CLLM_BACKEND_CUDA, count, &model) == CLLM_ERR_INVALID_ARGUMENT && !model,
         "a device ordinal out of range is INVALID_ARGUMENT");
  // Out of device memory: a KV cache of hundreds of GiB. The error comes back; the process lives on.
  cllm_config huge = cllm::testing::make_config(64, 64, 8, 1, 1, 32, 1 << 29, true);
  cllm_model* big = cuda_model(huge, 5);
  cllm_session* session = nullptr;
  const cllm_status status = cllm_session_create(big, 1 << 29, &session);
  expect(status == CLLM_ERR_OUT_OF_MEMORY && !session,
         std::string("a huge session is OUT_OF_MEMORY, got ") + std::to_string(status) + ": " + cllm_last_error());
  expect(contains(cllm_last_error(), "out of device memory"), std::string("OOM message: ") + cllm_last_error());
  check(cllm_session_create(big, 64, &session), "a small session after the failure");
  std::vector<int32_t> tokens(65, 1);
  expect(cllm_session_forward(session, tokens.data(), 65, nullptr) == CLLM_ERR_CONTEXT_FULL, "context full");
  std::vector<float> logits(32);
  check(cllm_session_forward(session, tokens.data(), 1, logits.data()), "forward after errors");
  cllm_session_free(session);
  cllm_model_free(big);
}

}  // namespace

int main() {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    cudaGetLastError();
    test_no_device();
    if (failures) return 1;
    std::printf("SKIP: no CUDA device (the no-device errors were checked)\n");
    return 0;
  }
  test_device_info();
  // Odd shapes: GQA 8/2, head dim 48, hidden 1003, vocab 517; MHA with tied embeddings; head dim 128.
  const cllm_config gqa = cllm::testing::make_config(384, 1003, 3, 8, 2, 517, 512, false);
  const cllm_config small = cllm::testing::make_config(64, 172, 2, 4, 4, 97, 512, true);
  cllm_config wide = cllm::testing::make_config(512, 1376, 2, 4, 2, 1000, 512, false);
  wide.head_dim = 128;
  test_logits_match_cpu(gqa, "gqa");
  test_logits_match_cpu(small, "small");
  test_logits_match_cpu(wide, "head_dim 128");
  test_jacobi_equals_ar(small);
  test_jacobi_equals_ar(gqa);
  test_graph_modes_agree(gqa);
  test_refill_runs(gqa);
  test_errors(small);
  if (failures) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("cuda backend: all checks passed\n");
  return 0;
}
