// Device-side timing with CUDA events on the stream a session runs on (cllm_session_set_cuda_stream):
// the elapsed time between two events brackets exactly the device work of the calls in between.
#pragma once

#include <algorithm>
#include <vector>

#include <cuda_runtime.h>

namespace cllm::bench {

class EventTimer {
 public:
  explicit EventTimer(cudaStream_t stream) : stream_(stream) {
    cudaEventCreate(&start_);
    cudaEventCreate(&stop_);
  }
  ~EventTimer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;

  // Median milliseconds of iters timed runs of body after warmup untimed ones.
  template <typename Body>
  double median_ms(int warmup, int iters, Body&& body) {
    for (int i = 0; i < warmup; ++i) body();
    std::vector<float> samples;
    for (int i = 0; i < iters; ++i) {
      cudaEventRecord(start_, stream_);
      body();
      cudaEventRecord(stop_, stream_);
      cudaEventSynchronize(stop_);
      float ms = 0;
      cudaEventElapsedTime(&ms, start_, stop_);
      samples.push_back(ms);
    }
    std::sort(samples.begin(), samples.end());
    return samples.empty() ? 0.0 : double(samples[samples.size() / 2]);
  }

 private:
  cudaStream_t stream_;
  cudaEvent_t start_{}, stop_{};
};

}  // namespace cllm::bench
