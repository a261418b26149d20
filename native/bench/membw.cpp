#include "membw.hpp"

#include <cstdlib>
#include <cstring>
#include <vector>

namespace cllm::bench {

Stats measure_read_bandwidth(int64_t bytes, int passes, double* gb_per_s) {
  const int64_t n = bytes / int64_t(sizeof(float)) / 64 * 64;
  float* data = static_cast<float*>(std::aligned_alloc(64, size_t(n) * sizeof(float)));
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) data[i] = float(i & 7);
  volatile float sink = 0;
  const Stats s = time_repeated(1, passes, [&] {
    float total = 0;
    // Eight independent sums per thread: enough parallel loads to saturate memory, vectorised by -O3.
#pragma omp parallel for schedule(static) reduction(+ : total)
    for (int64_t i = 0; i < n; i += 64) {
      float lane[16] = {};
      for (int j = 0; j < 64; ++j) lane[j & 15] += data[i + j];
      for (float v : lane) total += v;
    }
    sink = total;
  });
  (void)sink;
  std::free(data);
  *gb_per_s = double(n) * sizeof(float) / s.median / 1e9;
  return s;
}

}  // namespace cllm::bench
