// Wall-clock timing helpers: steady_clock, warmups, median of repeats.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace cllm::bench {

inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Stats {
  double median = 0, min = 0, max = 0;  // seconds
};

inline Stats summarize(std::vector<double> samples) {
  Stats s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  s.median = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
  s.min = samples.front();
  s.max = samples.back();
  return s;
}

// Runs body() warmup times untimed, then iters times timed (each run timed on its own).
template <typename Body>
Stats time_repeated(int warmup, int iters, Body&& body) {
  for (int i = 0; i < warmup; ++i) body();
  std::vector<double> samples;
  samples.reserve(size_t(iters));
  for (int i = 0; i < iters; ++i) {
    const double start = now_seconds();
    body();
    samples.push_back(now_seconds() - start);
  }
  return summarize(std::move(samples));
}

}  // namespace cllm::bench
