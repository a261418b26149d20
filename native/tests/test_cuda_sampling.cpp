// The device sampler (kernels/sample.cu) against its CPU twin (cllm::sampling::draw) on random rows:
// the same token for nearly every row (the two differ only where a cut or the draw falls within
// rounding of a boundary: exp and division round differently on the device), never a token the CPU's
// filters exclude by a clear margin, and the position read from device memory.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "cuda_test_util.hpp"
#include "sample.cuh"
#include "sampling.hpp"

using cllm::cuda_test::Buffer;
using cllm::cuda_test::expect;
using cllm::cuda_test::failures;
using cllm::cuda_test::have_device;

namespace {

void compare(int32_t vocab, const cllm_sampling& s, int32_t rows, int32_t first_position, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> logits(size_t(rows) * size_t(vocab));
  for (float& v : logits) v = normal(rng);
  Buffer<float> device_logits(logits);
  Buffer<int32_t> first(std::vector<int32_t>{first_position});
  Buffer<int32_t> out(static_cast<size_t>(rows));
  cllm::cuda::SampleParams p{s.temperature, s.top_k, s.top_p, s.min_p, s.seed};
  TEST_CUDA(cllm::cuda::launch_sample_rows(device_logits.get(), vocab, vocab, nullptr, rows, first.get(), p, out.get(),
                                           nullptr));
  TEST_CUDA(cudaDeviceSynchronize());
  const std::vector<int32_t> got = out.download();
  cllm::sampling::Scratch scratch;
  int32_t same = 0;
  bool all_kept = true;
  for (int32_t r = 0; r < rows; ++r) {
    const float* row = logits.data() + size_t(r) * size_t(vocab);
    const int32_t want = cllm::sampling::draw(row, vocab, s, int64_t(first_position) + r + 1, scratch);
    if (got[size_t(r)] == want) ++same;
    // The device's token must be one the CPU's filters keep (with a margin for rounding).
    std::vector<float> z(static_cast<size_t>(vocab));
    float m = -INFINITY;
    for (int32_t i = 0; i < vocab; ++i) m = std::fmax(m, z[size_t(i)] = row[i] / s.temperature);
    const float threshold = cllm::sampling::keep_threshold(z.data(), vocab, s, m, scratch);
    const int32_t g = got[size_t(r)];
    if (g < 0 || g >= vocab || z[size_t(g)] < threshold - 1e-3f) all_kept = false;
  }
  char what[200];
  std::snprintf(what, sizeof what, "vocab %d T=%.2f k=%d p=%.2f min_p=%.2f: %d of %d rows drew the CPU's token", vocab,
                double(s.temperature), s.top_k, double(s.top_p), double(s.min_p), same, rows);
  std::printf("%s\n", what);
  expect(same >= rows * 98 / 100, what);
  expect(all_kept, "every device token is one the filters keep");
}

}  // namespace

int main() {
  if (!have_device()) return 0;
  std::mt19937 rng(5);
  cllm_sampling s = cllm::sampling::greedy_settings();
  s.seed = 99;
  for (int32_t vocab : {97, 1024, 32000}) {
    s.temperature = 0.8f;
    compare(vocab, s, 64, 10, rng);
    s.top_k = 40;
    compare(vocab, s, 64, 300, rng);
    s.top_k = 0;
    s.top_p = 0.9f;
    compare(vocab, s, 64, 7, rng);
    s.top_k = 50;
    s.min_p = 0.05f;
    s.temperature = 1.3f;
    compare(vocab, s, 64, 1000, rng);
    s.top_k = 0;
    s.top_p = 1;
    s.min_p = 0;
  }
  if (failures) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("cuda sampling: all checks passed\n");
  return 0;
}
