// Device-side timing with CUDA events on the stream a session runs on (cllm_session_set_cuda_stream):
// the elapsed time between two events brackets the device work of the calls in between.
//
// One call per event pair would count the host's launch latency as device time: the start event fires
// at once on an idle stream, and the device then waits for the launch (5-15% on a 7B GEMM). So each
// pair brackets several calls issued back to back, and the time is divided by their number: the
// device stays busy while the host issues the next call, and only one launch latency is spread over
// all of them. For a call that waits for its own result on the host (a Jacobi step returning its
// predictions) this is the time per call of a loop of such calls, which is what a decode loop sees.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <cuda_runtime.h>

namespace cllm::bench {

class EventTimer {
 public:
  explicit EventTimer(cudaStream_t stream) : stream_(stream) {
    check(cudaEventCreate(&start_), "cudaEventCreate");
    check(cudaEventCreate(&stop_), "cudaEventCreate");
  }
  ~EventTimer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;

  // Median milliseconds per call: `samples` event pairs, each around `repeats` calls of body, after
  // `warmup` untimed calls.
  template <typename Body>
  double median_ms(int warmup, int samples, int repeats, Body&& body) {
    for (int i = 0; i < warmup; ++i) body();
    repeats = std::max(1, repeats);
    std::vector<double> per_call;
    for (int s = 0; s < samples; ++s) per_call.push_back(time_pair(repeats, body) / repeats);
    std::sort(per_call.begin(), per_call.end());
    return per_call.empty() ? 0.0 : per_call[per_call.size() / 2];
  }

  // As median_ms, with as many calls per pair as make one pair last about target_ms (from one timed
  // call after the warmup), between 1 and max_repeats: a 20 ms Jacobi block needs no company, an
  // AR step of a 1B model gets 20 calls.
  template <typename Body>
  double median_ms_auto(int warmup, int samples, Body&& body, double target_ms = 20.0, int max_repeats = 20) {
    for (int i = 0; i < warmup; ++i) body();
    const double one = time_pair(1, body);
    const int repeats = one > 0 ? int(std::clamp(std::ceil(target_ms / one), 1.0, double(max_repeats))) : max_repeats;
    return median_ms(0, samples, repeats, body);
  }

 private:
  template <typename Body>
  double time_pair(int repeats, Body& body) {
    check(cudaEventRecord(start_, stream_), "cudaEventRecord");
    for (int r = 0; r < repeats; ++r) body();
    check(cudaEventRecord(stop_, stream_), "cudaEventRecord");
    check(cudaEventSynchronize(stop_), "cudaEventSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
    return double(ms);
  }

  // A timing that cannot be taken is no timing: stop the benchmark with the reason.
  static void check(cudaError_t status, const char* what) {
    if (status != cudaSuccess) {
      std::fprintf(stderr, "benchmark timer: %s: %s\n", what, cudaGetErrorString(status));
      std::exit(1);
    }
  }

  cudaStream_t stream_;
  cudaEvent_t start_{}, stop_{};
};

}  // namespace cllm::bench
