// CPU backend through the C ABI: logits match an independent double-precision reference model,
// block forward equals token-by-token forward, truncation then re-forward reproduces the logits,
// Jacobi blocks reproduce greedy AR, two sessions on two threads give the same results as one after
// the other, 1, 2 and 3 pool threads give the same logits bit for bit, and bad input is rejected.
// The exactness checks run at every weight type (f32, bf16, q8_0); bf16 and q8_0 logits are held to
// the f32 model's (their errors are printed). ctest runs it once per forced ISA (CLLM_CPU_ISA).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include <string>

#include "cpu/isa.hpp"
#include "cpu/thread_pool.hpp"
#include "random_model.hpp"
#include "reference_model.hpp"
#include "test_checks.hpp"

using cllm::testing::check;
using cllm::testing::max_relative_error;

namespace {

using cllm::testing::checks;
using cllm::testing::expect;
using cllm::testing::failures;

int32_t weights = CLLM_DTYPE_F32;  // the weight type the exactness checks run at (main sets each in turn)

const char* weight_name(int32_t dtype) {
  return dtype == CLLM_DTYPE_BF16 ? "bf16" : dtype == CLLM_DTYPE_Q8_0 ? "q8_0" : "f32";
}

cllm_model* random_model(const cllm_config& config, uint64_t seed, cllm_dtype upload = CLLM_DTYPE_F32) {
  cllm_model* model;
  check(cllm::testing::make_random_model(config, CLLM_BACKEND_CPU, 0, seed, upload, weights, &model), "model");
  return model;
}

void test_block_equals_tokenwise(const cllm_config& config) {
  cllm_model* model = random_model(config, 7);
  const int32_t n = 11, vocab = config.vocab_size;
  std::vector<int32_t> tokens(n);
  for (int32_t i = 0; i < n; ++i) tokens[i] = (i * 37 + 5) % vocab;
  cllm_session *block, *single;
  check(cllm_session_create(model, 64, &block), "session");
  check(cllm_session_create(model, 64, &single), "session");
  std::vector<float> block_logits(size_t(n) * vocab), single_logits(size_t(n) * vocab);
  check(cllm_session_forward(block, tokens.data(), 4, nullptr), "prefix");
  check(cllm_session_forward(block, tokens.data() + 4, n - 4, block_logits.data() + size_t(4) * vocab), "block");
  for (int32_t i = 0; i < n; ++i) {
    check(cllm_session_forward(single, &tokens[i], 1, single_logits.data() + size_t(i) * vocab), "single");
  }
  std::vector<float> a(block_logits.begin() + 4 * vocab, block_logits.end());
  std::vector<float> b(single_logits.begin() + 4 * vocab, single_logits.end());
  expect(max_relative_error(a, b) < 1e-4f, "block forward equals token-by-token forward");
  // Stronger, and true of this backend: every output accumulates in one vector lane in a fixed order
  // whatever the block size or tile, so block and token-by-token logits are bit for bit the same.
  expect(a == b, "block forward equals token-by-token forward bit for bit");
  // Truncate and re-forward: same logits again.
  check(cllm_session_truncate(block, 6), "truncate");
  std::vector<float> again(size_t(n - 6) * vocab);
  check(cllm_session_forward(block, tokens.data() + 6, n - 6, again.data()), "re-forward");
  std::vector<float> expected(block_logits.begin() + 6 * vocab, block_logits.end());
  expect(again == expected, "truncate then re-forward reproduces the logits bit for bit");
  cllm_session_free(block);
  cllm_session_free(single);
  cllm_model_free(model);
}

void test_jacobi_block_equals_greedy(const cllm_config& config, int32_t block_size) {
  cllm_model* model = random_model(config, 11);
  const std::vector<int32_t> prompt = {1, 17, 4, 9};
  const int32_t total = 3 * block_size;
  // Greedy AR reference.
  cllm_session* ar;
  check(cllm_session_create(model, 256, &ar), "session");
  std::vector<float> logits(config.vocab_size);
  check(cllm_session_forward(ar, prompt.data(), int32_t(prompt.size()), nullptr), "prompt");
  check(cllm_session_truncate(ar, int32_t(prompt.size()) - 1), "truncate");
  int32_t next = prompt.back();
  std::vector<int32_t> greedy;
  for (int32_t i = 0; i < total; ++i) {
    check(cllm_session_forward(ar, &next, 1, logits.data()), "ar step");
    check(cllm_argmax_rows(logits.data(), 1, config.vocab_size, &next), "argmax");
    greedy.push_back(next);
  }
  // Jacobi blocks from a deliberately bad guess.
  cllm_session* jacobi;
  check(cllm_session_create(model, 256, &jacobi), "session");
  check(cllm_session_forward(jacobi, prompt.data(), int32_t(prompt.size()) - 1, nullptr), "prompt");
  int32_t y0 = prompt.back();
  std::vector<int32_t> output, state(block_size, 3), produced(block_size);
  std::vector<int32_t> states(size_t(block_size + 1) * block_size);
  int32_t iterations_total = 0;
  while (int32_t(output.size()) < total) {
    int32_t count = 0, iterations = 0;
    check(cllm_jacobi_block(jacobi, y0, state.data(), block_size, block_size, -1, produced.data(), &count, &iterations,
                            nullptr, nullptr, states.data()),
          "jacobi block");
    expect(count == block_size, "a block with enough iterations produces all n tokens");
    expect(iterations >= 1 && iterations <= block_size, "iterations within [1, n]");
    for (int32_t j = 0; j < block_size; ++j) {
      expect(states[size_t(iterations) * block_size + j] == produced[j], "the last state is the fixed point");
    }
    output.insert(output.end(), produced.begin(), produced.begin() + count);
    y0 = produced[count - 1];
    iterations_total += iterations;
  }
  output.resize(total);
  expect(output == greedy, "Jacobi output equals greedy AR output");
  expect(iterations_total <= total, "iterations never exceed tokens");
  int32_t length = 0;
  check(cllm_session_length(jacobi, &length), "length");
  expect(length == int32_t(prompt.size()) - 1 + total, "cache holds the prompt and all but the last produced token");
  cllm_session_free(ar);
  cllm_session_free(jacobi);
  cllm_model_free(model);
}

// Logits against the scalar double-precision reference: a prompt block, a block at an offset, single
// tokens, and a re-forward after truncation (docs/ARCHITECTURE.md, Numerics: relative error <= 1e-4).
void test_matches_reference(const cllm_config& config, int32_t long_block) {
  const uint64_t seed = 5;
  cllm_model* model;
  check(cllm::testing::make_random_model(config, CLLM_BACKEND_CPU, 0, seed, CLLM_DTYPE_F32, &model), "model");
  cllm::testing::ReferenceModel reference(config, seed);
  cllm_session* session;
  check(cllm_session_create(model, 160, &session), "session");
  const int32_t vocab = config.vocab_size;
  auto compare = [&](const std::vector<int32_t>& tokens, const char* what) {
    const int32_t n = int32_t(tokens.size());
    std::vector<float> logits(size_t(n) * vocab);
    check(cllm_session_forward(session, tokens.data(), n, logits.data()), what);
    const std::vector<float> expected = reference.forward(tokens.data(), n);
    const double error = cllm::testing::max_relative_error(logits.data(), expected.data(), logits.size());
    if (error > 1e-4) std::fprintf(stderr, "  %s: relative error %.3g\n", what, error);
    expect(error <= 1e-4, what);
  };
  compare({3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3}, "prompt block of 18 matches the reference");
  compare({8, 4, 6, 2, 6, 4, 3}, "block of 7 at position 18 matches the reference");
  compare({int32_t(vocab - 1)}, "single token matches the reference");
  check(cllm_session_truncate(session, 20), "truncate");
  reference.truncate(20);
  compare({2, 7, 1, 8, 2}, "re-forward after truncation matches the reference");
  // Several token tiles and a partial one; past 64 rows the backend also slices the block.
  std::vector<int32_t> many(size_t(long_block), 0);
  for (int32_t i = 0; i < long_block; ++i) many[i] = (i * 29 + 3) % vocab;
  compare(many, "a long block matches the reference");
  cllm_session_free(session);
  cllm_model_free(model);
}

// One sequence: a prompt block, then AR steps, then a Jacobi step; every logit recorded.
std::vector<float> run_sequence(cllm_model* model, const cllm_config& config, int32_t first_token) {
  cllm_session* session;
  check(cllm_session_create(model, 128, &session), "session");
  std::vector<int32_t> prompt(12);
  for (int32_t i = 0; i < 12; ++i) prompt[i] = (first_token + i * 31) % config.vocab_size;
  std::vector<float> logits(size_t(12) * config.vocab_size), all;
  check(cllm_session_forward(session, prompt.data(), 12, logits.data()), "prompt");
  all.insert(all.end(), logits.begin(), logits.end());
  int32_t next = 0;
  check(cllm_argmax_rows(logits.data() + size_t(11) * config.vocab_size, 1, config.vocab_size, &next), "argmax");
  for (int32_t step = 0; step < 6; ++step) {
    check(cllm_session_forward(session, &next, 1, logits.data()), "step");
    all.insert(all.end(), logits.begin(), logits.begin() + config.vocab_size);
    check(cllm_argmax_rows(logits.data(), 1, config.vocab_size, &next), "argmax");
  }
  std::vector<int32_t> window = {next, 1, 2, 3, 4, 5, 6, 7}, predictions(8);
  int32_t accepted = 0;
  check(cllm_jacobi_step(session, window.data(), 8, predictions.data(), &accepted), "jacobi step");
  for (int32_t p : predictions) all.push_back(float(p));
  all.push_back(float(accepted));
  cllm_session_free(session);
  return all;
}

// Sessions share only the read-only model: two threads at once give exactly the sequential results.
void test_concurrent_sessions(const cllm_config& config) {
  cllm_model* model = random_model(config, 21);
  const std::vector<float> a = run_sequence(model, config, 3), b = run_sequence(model, config, 100);
  for (int round = 0; round < 2; ++round) {
    std::vector<float> ca, cb;
    std::thread ta([&] { ca = run_sequence(model, config, 3); });
    std::thread tb([&] { cb = run_sequence(model, config, 100); });
    ta.join();
    tb.join();
    expect(ca == a && cb == b, "two sessions on two threads equal the sequential runs");
  }
  cllm_model_free(model);
}

// The thread pool splits each kernel's outputs among threads, never a sum: 1, 2 and 3 threads give the
// same logits bit for bit (a long prompt block, so that attention runs in parallel too, then AR steps).
void test_thread_counts_bit_identical(const cllm_config& config) {
  cllm_model* model = random_model(config, 31);
  const bool was = cllm::cpu::set_adaptive(false);  // use exactly the threads asked for
  auto logits_with = [&](int32_t threads) {
    check(cllm_set_num_threads(threads), "threads");
    cllm_session* session;
    check(cllm_session_create(model, 128, &session), "session");
    const int32_t n = 45, vocab = config.vocab_size;
    std::vector<int32_t> prompt(n);
    for (int32_t i = 0; i < n; ++i) prompt[i] = (i * 53 + 11) % vocab;
    std::vector<float> all(size_t(n) * vocab), one(vocab);
    check(cllm_session_forward(session, prompt.data(), n, all.data()), "prompt");
    int32_t next = 0;
    for (int32_t step = 0; step < 5; ++step) {
      check(cllm_argmax_rows(all.data() + all.size() - vocab, 1, vocab, &next), "argmax");
      check(cllm_session_forward(session, &next, 1, one.data()), "step");
      all.insert(all.end(), one.begin(), one.end());
    }
    cllm_session_free(session);
    return all;
  };
  const std::vector<float> single = logits_with(1);
  for (int32_t threads : {2, 3}) {
    expect(logits_with(threads) == single,
           threads == 2 ? "2 threads give the logits of 1 bit for bit" : "3 threads give the logits of 1 bit for bit");
  }
  cllm::cpu::set_adaptive(was);
  check(cllm_set_num_threads(0), "default threads");
  cllm_model_free(model);
}

// All logits of a prompt block and a few AR steps.
std::vector<float> some_logits(cllm_model* model, const cllm_config& config) {
  cllm_session* session;
  check(cllm_session_create(model, 64, &session), "session");
  const int32_t n = 20, vocab = config.vocab_size;
  std::vector<int32_t> prompt(n);
  for (int32_t i = 0; i < n; ++i) prompt[i] = (i * 41 + 2) % vocab;
  std::vector<float> all(size_t(n) * vocab), one(static_cast<size_t>(vocab));
  check(cllm_session_forward(session, prompt.data(), n, all.data()), "prompt");
  for (int32_t step = 0; step < 4; ++step) {
    int32_t next = 0;
    check(cllm_argmax_rows(all.data() + all.size() - vocab, 1, vocab, &next), "argmax");
    check(cllm_session_forward(session, &next, 1, one.data()), "step");
    all.insert(all.end(), one.begin(), one.end());
  }
  cllm_session_free(session);
  return all;
}

// bf16 and q8_0 logits against the f32 model's on the same random weights (the error of the weight
// type, printed for the README), each within a bound that a wrong kernel would not meet.
void test_weight_types_against_f32(const cllm_config& config, const char* name) {
  const int32_t saved = weights;
  weights = CLLM_DTYPE_F32;
  cllm_model* f32 = random_model(config, 41);
  const std::vector<float> reference = some_logits(f32, config);
  cllm_model_free(f32);
  for (int32_t type : {CLLM_DTYPE_BF16, CLLM_DTYPE_Q8_0}) {
    weights = type;
    cllm_model* model = random_model(config, 41);
    const double error = max_relative_error(some_logits(model, config), reference);
    std::printf("cpu backend: %s weights on the %s model: logits relative error %.3g vs f32\n", weight_name(type), name,
                error);
    expect(error < (type == CLLM_DTYPE_BF16 ? 1.5e-2 : 4e-2),
           std::string("logits close to the f32 model's on ") + name);
    cllm_model_free(model);
  }
  weights = saved;
}

// Where bf16 weights are widened to fp32 (every ISA but avx512_bf16), a bf16 model computes exactly what
// the f32 model computes on the same bf16 values; and GGUF Q8_0 uploads give exactly the model that
// quantising f32 uploads at load gives (no re-quantising, same quantiser).
void test_weight_type_identities(const cllm_config& config) {
  const int32_t saved = weights;
  if (cllm::cpu::select_kernels().isa != cllm::cpu::Isa::avx512_bf16) {
    weights = CLLM_DTYPE_F32;
    cllm_model* f32 = random_model(config, 43, CLLM_DTYPE_BF16);
    weights = CLLM_DTYPE_BF16;
    cllm_model* bf16 = random_model(config, 43, CLLM_DTYPE_BF16);
    expect(some_logits(bf16, config) == some_logits(f32, config), "bf16 weights widened == f32 weights of bf16 values");
    cllm_model_free(f32);
    cllm_model_free(bf16);
  }
  weights = CLLM_DTYPE_Q8_0;
  cllm_model* quantised_here = random_model(config, 45, CLLM_DTYPE_F32);
  cllm_model* gguf_blocks = random_model(config, 45, CLLM_DTYPE_Q8_0);
  expect(some_logits(gguf_blocks, config) == some_logits(quantised_here, config),
         "q8_0 uploads == f32 uploads quantised at load");
  cllm_model_free(quantised_here);
  cllm_model_free(gguf_blocks);
  weights = saved;
}

// Weight types through the ABI: stored type, sizes, and the types and uploads that are refused.
void test_weight_type_api(const cllm_config& config) {
  int64_t bytes[3] = {0, 0, 0};
  const int32_t types[3] = {CLLM_DTYPE_F32, CLLM_DTYPE_BF16, CLLM_DTYPE_Q8_0};
  for (int i = 0; i < 3; ++i) {
    cllm_model* model;
    check(cllm::testing::make_random_model(config, CLLM_BACKEND_CPU, 0, 3, CLLM_DTYPE_F32, types[i], &model), "model");
    int32_t stored = -5;
    check(cllm_model_weight_dtype(model, &stored), "weight dtype");
    expect(stored == types[i], "cllm_model_weight_dtype reports the requested type");
    check(cllm_model_weight_bytes(model, &bytes[i]), "weight bytes");
    cllm_model_free(model);
  }
  expect(bytes[1] < bytes[0] * 0.6 && bytes[2] < bytes[0] * 0.35, "bf16 and q8_0 models hold fewer bytes than f32");
  cllm_model* model = nullptr;
  check(cllm_model_create(&config, CLLM_BACKEND_CPU, 0, &model), "default model");
  int32_t stored = -5;
  check(cllm_model_weight_dtype(model, &stored), "weight dtype");
  expect(stored == CLLM_DTYPE_F32, "the CPU backend's default weight type is f32");
  // q8_0 uploads need rows of a multiple of 32 (config.dim = 64 here: norms are fine, w_down's 172 is not).
  std::vector<uint8_t> blocks(size_t(config.dim) * config.hidden_dim / 32 * 34, 0);
  expect(cllm_model_upload(model, CLLM_TENSOR_ATTN_NORM, 0, CLLM_DTYPE_Q8_0, blocks.data(), config.dim) == CLLM_OK,
         "a q8_0 norm vector of 64 values uploads");
  expect(cllm_model_upload(model, CLLM_TENSOR_W_DOWN, 0, CLLM_DTYPE_Q8_0, blocks.data(),
                           int64_t(config.dim) * config.hidden_dim) == CLLM_ERR_INVALID_ARGUMENT &&
             std::string(cllm_last_error()).find("multiple of 32") != std::string::npos,
         "q8_0 rows of 172 values are refused, naming why");
  expect(cllm_model_upload(model, CLLM_TENSOR_WQ, 0, 4, blocks.data(), int64_t(config.dim) * config.dim) ==
             CLLM_ERR_INVALID_ARGUMENT,
         "an unknown upload dtype is refused");
  cllm_model_free(model);
  cllm_model* none = nullptr;
  expect(cllm_model_create_with_weights(&config, CLLM_BACKEND_CPU, 0, CLLM_DTYPE_F16, &none) == CLLM_ERR_UNSUPPORTED &&
             none == nullptr,
         "f16 weights are not a CPU weight type");
  expect(cllm_model_create_with_weights(&config, CLLM_BACKEND_CPU, 0, 9, &none) == CLLM_ERR_INVALID_ARGUMENT &&
             none == nullptr,
         "weight type 9 is refused");
  int64_t size = 0;
  expect(cllm_dtype_size(CLLM_DTYPE_Q8_0, 64, &size) == CLLM_OK && size == 68, "64 q8_0 values take 68 bytes");
  expect(cllm_dtype_size(CLLM_DTYPE_BF16, 3, &size) == CLLM_OK && size == 6, "3 bf16 values take 6 bytes");
  expect(cllm_dtype_size(CLLM_DTYPE_Q8_0, 33, &size) == CLLM_ERR_INVALID_ARGUMENT, "33 q8_0 values are no whole block");
  expect(cllm_dtype_size(CLLM_DTYPE_DEFAULT, 1, &size) == CLLM_ERR_INVALID_ARGUMENT, "DEFAULT is no upload dtype");
}

void test_rejects_bad_input(const cllm_config& config) {
  cllm_model* model;
  check(cllm::testing::make_random_model(config, CLLM_BACKEND_CPU, 0, 3, CLLM_DTYPE_F32, &model), "model");
  cllm_session* session;
  check(cllm_session_create(model, 8, &session), "session");
  int32_t bad = config.vocab_size;
  expect(cllm_session_forward(session, &bad, 1, nullptr) == CLLM_ERR_INVALID_ARGUMENT, "token out of range");
  std::vector<int32_t> many(9, 1);
  expect(cllm_session_forward(session, many.data(), 9, nullptr) == CLLM_ERR_CONTEXT_FULL, "context full");
  expect(cllm_session_truncate(session, 1) == CLLM_ERR_INVALID_ARGUMENT, "truncate beyond length");
  cllm_session* too_big = nullptr;
  expect(
      cllm_session_create(model, config.max_seq_len + 1, &too_big) == CLLM_ERR_INVALID_ARGUMENT && too_big == nullptr,
      "capacity");
  cllm_session_free(session);
  float one = 1.0f;
  expect(cllm_model_upload(model, CLLM_TENSOR_WQ, 0, CLLM_DTYPE_F32, &one, 1) == CLLM_ERR_INVALID_ARGUMENT,
         "mis-shaped tensor");
  cllm_config broken = config;
  broken.n_kv_heads = 3;
  cllm_model* other = nullptr;
  expect(cllm_model_create(&broken, CLLM_BACKEND_CPU, 0, &other) == CLLM_ERR_INVALID_ARGUMENT && other == nullptr,
         "heads not a multiple of kv heads");
  cllm_model* incomplete;
  check(cllm_model_create(&config, CLLM_BACKEND_CPU, 0, &incomplete), "create");
  cllm_session* none = nullptr;
  expect(cllm_session_create(incomplete, 8, &none) == CLLM_ERR_STATE && none == nullptr, "incomplete model");
  cllm_model_free(incomplete);
  cllm_model_free(model);
}

}  // namespace

int main() {
  // Odd shapes: GQA 8/2, head dim 48 (dim 384 / 8 heads), hidden size not a multiple of 8.
  const cllm_config gqa = cllm::testing::make_config(384, 1003, 3, 8, 2, 517, 256, false);
  const cllm_config small = cllm::testing::make_config(64, 172, 2, 4, 4, 97, 256, true);
  // Every row length a multiple of 32, so that q8_0 uploads reach every matrix.
  const cllm_config aligned = cllm::testing::make_config(128, 352, 2, 4, 2, 300, 256, false);
  std::printf("cpu backend: kernels %s\n", cllm::cpu::select_kernels().name);
  test_matches_reference(gqa, 33);
  test_matches_reference(small, 70);
  for (int32_t type : {CLLM_DTYPE_F32, CLLM_DTYPE_BF16, CLLM_DTYPE_Q8_0}) {
    weights = type;
    test_concurrent_sessions(gqa);
    test_thread_counts_bit_identical(gqa);
    test_thread_counts_bit_identical(small);
    test_block_equals_tokenwise(gqa);
    test_block_equals_tokenwise(small);
    for (int32_t n : {1, 2, 7, 16}) test_jacobi_block_equals_greedy(small, n);
    test_jacobi_block_equals_greedy(gqa, 5);
  }
  weights = CLLM_DTYPE_F32;
  test_weight_types_against_f32(gqa, "gqa");
  test_weight_types_against_f32(small, "small");
  test_weight_type_identities(aligned);
  test_weight_type_api(small);
  test_rejects_bad_input(small);
  if (failures) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("cpu backend: all checks passed\n");
  return 0;
}
