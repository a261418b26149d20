#include "membw.hpp"

#include <omp.h>
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace cllm::bench {
namespace {

// Sum of data[0..n) (n a multiple of 64) with eight independent vector sums: enough loads in flight to
// saturate memory. Compiled for AVX-512, AVX2 and the baseline, picked at run time (target_clones),
// since the widest loads reach the highest bandwidth per core.
__attribute__((target_clones("avx512f", "avx2", "default"))) float sum_floats(const float* data, int64_t n) {
  float lane[8][16] = {};
  for (int64_t i = 0; i < n; i += 128) {
    for (int j = 0; j < 8; ++j) {
      for (int k = 0; k < 16; ++k) lane[j][k] += data[i + j * 16 + k];
    }
  }
  float total = 0;
  for (auto& l : lane) {
    for (float v : l) total += v;
  }
  return total;
}

}  // namespace

Stats measure_read_bandwidth(int64_t bytes, int passes, double* gb_per_s) {
  const int64_t n = bytes / int64_t(sizeof(float)) / 128 * 128;
  const size_t huge = size_t(2) << 20, bytes_rounded = (size_t(n) * sizeof(float) + huge - 1) / huge * huge;
  float* data = static_cast<float*>(std::aligned_alloc(huge, bytes_rounded));
  madvise(data, bytes_rounded, MADV_HUGEPAGE);  // as the backend's weights (a hint)
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) data[i] = float(i & 7);
  volatile float sink = 0;
  const Stats s = time_repeated(1, passes, [&] {
    float total = 0;
#pragma omp parallel reduction(+ : total)
    {
      const int64_t blocks = n / 128, threads = omp_get_num_threads(), id = omp_get_thread_num();
      const int64_t begin = blocks * id / threads, end = blocks * (id + 1) / threads;
      total += sum_floats(data + begin * 128, (end - begin) * 128);
    }
    sink = total;
  });
  (void)sink;
  std::free(data);
  *gb_per_s = double(n) * sizeof(float) / s.median / 1e9;
  return s;
}

}  // namespace cllm::bench
