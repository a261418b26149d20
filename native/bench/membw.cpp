#include "membw.hpp"

#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cpu/thread_pool.hpp"

namespace cllm::bench {
namespace {

// Sum of data[0..n) (n a multiple of 64) with eight independent vector sums: enough loads in flight to
// saturate memory. Compiled for AVX-512, AVX2 and the baseline, picked at run time (target_clones),
// since the widest loads reach the highest bandwidth per core.
// (Not under ThreadSanitizer: the instrumented ifunc resolver runs before the sanitizer's runtime is
// initialised and crashes the program at load time.)
#if defined(__SANITIZE_THREAD__)
#define CLLM_BENCH_CLONES
#else
#define CLLM_BENCH_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
CLLM_BENCH_CLONES float sum_floats(const float* data, int64_t n) {
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

// parallel_for over blocks of 128 floats on libcllm's thread pool (every thread, no size threshold).
template <typename F>
void for_blocks(int64_t blocks, const F& f) {
  cpu::parallel_for(
      blocks, cpu::kParallelMinWork + blocks,
      [](void* context, int64_t begin, int64_t end) { (*static_cast<const F*>(context))(begin, end); },
      const_cast<F*>(&f));
}

}  // namespace

Stats measure_read_bandwidth(int64_t bytes, int passes, double* gb_per_s) {
  const int64_t n = bytes / int64_t(sizeof(float)) / 128 * 128;
  const size_t huge = size_t(2) << 20, bytes_rounded = (size_t(n) * sizeof(float) + huge - 1) / huge * huge;
  float* data = static_cast<float*>(std::aligned_alloc(huge, bytes_rounded));
  madvise(data, bytes_rounded, MADV_HUGEPAGE);  // as the backend's weights (a hint)
  for_blocks(n / 128, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin * 128; i < end * 128; ++i) data[i] = float(i & 7);
  });
  volatile float sink = 0;
  const Stats s = time_repeated(1, passes, [&] {
    std::atomic<float> total{0};
    for_blocks(n / 128, [&](int64_t begin, int64_t end) {
      const float part = sum_floats(data + begin * 128, (end - begin) * 128);
      for (float t = total.load(); !total.compare_exchange_weak(t, t + part);) {
      }
    });
    sink = total.load();
  });
  (void)sink;
  std::free(data);
  *gb_per_s = double(n) * sizeof(float) / s.median / 1e9;
  return s;
}

}  // namespace cllm::bench
