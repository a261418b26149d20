// The sampler on its own (native/src/sampling.hpp, cllm_sample_row): the counter-based generator, the
// keep threshold of top-k / top-p / min-p against a brute-force reading of their definitions, the
// penalties, greedy equals argmax, and chi-square tests that the draws follow the softmax they sample
// from (seeded, so each runs the same every time, with bounds a wrong sampler fails).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "cllm/cllm.h"
#include "sampling.hpp"
#include "sampling_rng.hpp"
#include "test_checks.hpp"

namespace {

using cllm::testing::checks;
using cllm::testing::expect;
using cllm::testing::failures;

cllm_sampling settings(float temperature, int32_t top_k = 0, float top_p = 1, float min_p = 0) {
  cllm_sampling s = cllm::sampling::greedy_settings();
  s.temperature = temperature;
  s.top_k = top_k;
  s.top_p = top_p;
  s.min_p = min_p;
  s.seed = 1234;
  return s;
}

int32_t sample(const std::vector<float>& logits, const cllm_sampling& s, int64_t position) {
  int32_t token = -1;
  const cllm_status status = cllm_sample_row(logits.data(), int32_t(logits.size()), &s, position, nullptr, 0, &token);
  if (status != CLLM_OK) {
    std::fprintf(stderr, "FAIL: cllm_sample_row: %s\n", cllm_last_error());
    std::exit(1);
  }
  return token;
}

void test_generator() {
  // Same key, same number; the draws over positions look uniform (mean 1/2, each decile about 10%).
  expect(cllm::sampling_uniform(7, 100) == cllm::sampling_uniform(7, 100), "the generator is a function of (seed, t)");
  expect(cllm::sampling_uniform(7, 100) != cllm::sampling_uniform(8, 100), "another seed, another number");
  expect(cllm::sampling_uniform(7, 100) != cllm::sampling_uniform(7, 101), "another position, another number");
  const int n = 100000;
  std::vector<int> deciles(10, 0);
  double sum = 0;
  for (int t = 0; t < n; ++t) {
    const double u = cllm::sampling_uniform(42, t);
    expect(u >= 0 && u < 1, "u in [0, 1)");
    sum += u;
    ++deciles[size_t(u * 10)];
  }
  expect(std::fabs(sum / n - 0.5) < 0.005, "mean of u is 1/2");
  double chi2 = 0;
  for (int d : deciles) chi2 += (d - n / 10.0) * (d - n / 10.0) / (n / 10.0);
  expect(chi2 < 27.88, "deciles of u are uniform (chi-square, 9 dof, p = 0.001), got " + std::to_string(chi2));
}

void test_greedy_is_argmax() {
  const std::vector<float> row = {0.5f, 2.0f, -1.0f, 2.0f, 1.0f};
  expect(sample(row, settings(0), 5) == 1, "temperature 0 picks the argmax, ties to the lowest index");
  // A very low temperature still samples, but puts all mass on the maximum (the first of equal ones).
  const std::vector<float> peaked = {0.5f, 3.0f, -1.0f, 2.0f, 1.0f};
  for (int t = 1; t < 200; ++t) expect(sample(peaked, settings(1e-3f), t) == 1, "temperature 1e-3 picks the maximum");
}

// The keep threshold by its definition, with full sorts and sums in long double.
float brute_threshold(const std::vector<float>& z, const cllm_sampling& s) {
  std::vector<float> sorted = z;
  std::sort(sorted.begin(), sorted.end(), std::greater<float>());
  const float max_z = sorted[0];
  float threshold = -std::numeric_limits<float>::infinity();
  if (s.top_k > 0 && s.top_k < int32_t(z.size())) threshold = sorted[size_t(s.top_k - 1)];
  if (s.top_p < 1) {
    long double total = 0;
    for (float v : sorted) {
      if (v >= threshold) total += std::exp((long double)(v - max_z));
    }
    long double mass = 0;
    for (size_t i = 0; i < sorted.size() && sorted[i] >= threshold;) {
      const float v = sorted[i];
      for (; i < sorted.size() && sorted[i] == v; ++i) mass += std::exp((long double)(v - max_z));
      if (mass >= (long double)s.top_p * total) {
        threshold = std::max(threshold, v);
        break;
      }
    }
  }
  if (s.min_p > 0) threshold = std::max(threshold, max_z + std::log(s.min_p));
  return threshold;
}

void test_threshold_matches_definition() {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  cllm::sampling::Scratch scratch;
  int checked = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const int32_t vocab = 1 + int32_t(rng() % 300);
    std::vector<float> z(static_cast<size_t>(vocab));
    for (float& v : z) v = normal(rng);
    if (trial % 3 == 0) {
      for (float& v : z) v = std::round(v);  // many ties
    }
    const int32_t top_k = int32_t(rng() % 4 == 0 ? 0 : rng() % (vocab + 2));
    const float top_p = rng() % 3 == 0 ? 1.0f : 0.05f + 0.9f * float(rng() % 1000) / 1000.0f;
    const float min_p = rng() % 3 == 0 ? 0.0f : float(rng() % 1000) / 2000.0f;
    const cllm_sampling s = settings(1, top_k, top_p, min_p);
    const float max_z = *std::max_element(z.begin(), z.end());
    const float got = cllm::sampling::keep_threshold(z.data(), vocab, s, max_z, scratch);
    const float want = brute_threshold(z, s);
    // The two sum in different precisions: they may only disagree when a cut falls within rounding of
    // the target, which random rows do not hit.
    if (got != want) {
      expect(false, "keep threshold of trial " + std::to_string(trial) + ": got " + std::to_string(got) + ", want " +
                        std::to_string(want));
    }
    expect(got <= max_z, "the maximum is always kept");
    ++checked;
  }
  expect(checked == 400, "all threshold trials ran");
}

// Chi-square of draws over positions 1..n against probabilities p (0 for tokens never to be drawn).
double chi_square(const std::vector<float>& logits, const cllm_sampling& s, const std::vector<double>& p, int n,
                  bool* drew_excluded) {
  std::vector<int> counts(logits.size(), 0);
  for (int t = 1; t <= n; ++t) ++counts[size_t(sample(logits, s, t))];
  double chi2 = 0;
  *drew_excluded = false;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == 0) {
      if (counts[i] != 0) *drew_excluded = true;
      continue;
    }
    const double expected = p[i] * n;
    chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
  }
  return chi2;
}

std::vector<double> softmax(const std::vector<float>& logits, float temperature, const std::vector<bool>& kept) {
  std::vector<double> p(logits.size(), 0);
  double total = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    if (kept[i]) total += p[i] = std::exp(double(logits[i]) / temperature);
  }
  for (double& v : p) v /= total;
  return p;
}

void test_distribution() {
  const std::vector<float> logits = {1.0f, 0.2f, -0.5f, 2.0f, 0.0f, 1.5f, -1.0f, 0.7f};
  const std::vector<bool> all(logits.size(), true);
  const int n = 40000;
  bool excluded = false;
  // Critical values of chi-square at p = 0.001: 7 dof 24.32, 2 dof 13.82, 3 dof 16.27.
  double chi2 = chi_square(logits, settings(0.8f), softmax(logits, 0.8f, all), n, &excluded);
  expect(chi2 < 24.32, "draws at temperature 0.8 follow the softmax (chi-square " + std::to_string(chi2) + ")");
  chi2 = chi_square(logits, settings(1.0f), softmax(logits, 1.0f, all), n, &excluded);
  expect(chi2 < 24.32, "draws at temperature 1 follow the softmax (chi-square " + std::to_string(chi2) + ")");
  // The test can fail: the same draws against the softmax at another temperature are far off.
  chi2 = chi_square(logits, settings(0.8f), softmax(logits, 1.0f, all), n, &excluded);
  expect(chi2 > 100, "draws at 0.8 do not pass for the softmax at 1 (chi-square " + std::to_string(chi2) + ")");
  // top-k 3 keeps tokens 3, 5, 0.
  std::vector<bool> top3(logits.size(), false);
  top3[3] = top3[5] = top3[0] = true;
  chi2 = chi_square(logits, settings(1.0f, 3), softmax(logits, 1.0f, top3), n, &excluded);
  expect(!excluded, "top-k 3 never draws a token outside the top 3");
  expect(chi2 < 13.82, "top-k 3 follows the renormalised softmax (chi-square " + std::to_string(chi2) + ")");
  // top-p 0.55 at temperature 1: probabilities sorted 0.373 (3), 0.226 (5), 0.137 (0), ...: 3 and 5 hold 0.600.
  std::vector<bool> top2(logits.size(), false);
  top2[3] = top2[5] = true;
  chi2 = chi_square(logits, settings(1.0f, 0, 0.55f), softmax(logits, 1.0f, top2), n, &excluded);
  expect(!excluded, "top-p 0.55 never draws a token outside the smallest set holding 0.55");
  expect(chi2 < 10.83, "top-p 0.55 follows the renormalised softmax (chi-square " + std::to_string(chi2) + ", 1 dof)");
  // min-p 0.3: keep p >= 0.3 p_max, i.e. logit >= 2 + ln 0.3 = 0.796: tokens 0, 3, 5.
  chi2 = chi_square(logits, settings(1.0f, 0, 1, 0.3f), softmax(logits, 1.0f, top3), n, &excluded);
  expect(!excluded, "min-p 0.3 never draws a token below 0.3 of the most likely one");
  expect(chi2 < 13.82, "min-p 0.3 follows the renormalised softmax (chi-square " + std::to_string(chi2) + ")");
}

void test_penalties() {
  cllm::sampling::TokenCounts counts;
  counts.resize(6);
  for (int32_t t : {2, 4, 2, 2}) counts.add(t);
  cllm_sampling s = settings(0);
  s.repetition_penalty = 2;
  s.presence_penalty = 0.5f;
  s.frequency_penalty = 0.25f;
  std::vector<float> row = {1, 1, 3, 1, -2, 1};
  cllm::sampling::apply_penalties(row.data(), counts, s);
  // token 2: 3 / 2 - 0.5 - 3 * 0.25 = 0.25; token 4: -2 * 2 - 0.5 - 0.25 = -4.75; the rest unchanged.
  expect(row[2] == 0.25f && row[4] == -4.75f && row[0] == 1 && row[1] == 1 && row[3] == 1 && row[5] == 1,
         "penalties follow their definition");
  // Through the ABI: the history makes the penalised argmax move away from a repeated token.
  cllm_sampling p = settings(0);
  p.repetition_penalty = 3;
  p.penalty_from = 2;
  const std::vector<float> logits = {0.1f, 1.0f, 0.9f};
  const int32_t history[2] = {1, 1};  // positions 2 and 3
  int32_t token = -1;
  expect(cllm_sample_row(logits.data(), 3, &p, 4, history, 2, &token) == CLLM_OK && token == 2,
         "a repetition penalty turns the argmax away from a token in the history");
  expect(cllm_sample_row(logits.data(), 3, &p, 4, history, 1, &token) == CLLM_ERR_INVALID_ARGUMENT,
         "a history of the wrong length is rejected");
  cllm_sampling bad = settings(-1);
  expect(cllm_sample_row(logits.data(), 3, &bad, 4, nullptr, 0, &token) == CLLM_ERR_INVALID_ARGUMENT &&
             std::string(cllm_last_error()).find("temperature") != std::string::npos,
         "a negative temperature is rejected, naming the field");
  bad = settings(1, 0, 0);
  expect(cllm_sample_row(logits.data(), 3, &bad, 4, nullptr, 0, &token) == CLLM_ERR_INVALID_ARGUMENT &&
             std::string(cllm_last_error()).find("top_p") != std::string::npos,
         "top_p 0 is rejected, naming the field");
}

}  // namespace

int main() {
  test_generator();
  test_greedy_is_argmax();
  test_threshold_matches_definition();
  test_distribution();
  test_penalties();
  if (failures) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("sampling: all checks passed\n");
  return 0;
}
