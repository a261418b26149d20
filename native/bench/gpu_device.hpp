// GPU facts for the benchmark: name, multiprocessors, L2, and the peak memory bandwidth from the device
// attributes (memory clock * bus width * 2 for DDR), plus a measured device-to-device copy bandwidth
// (the achievable ceiling, bytes read + bytes written).
#pragma once

#include <cstdint>
#include <string>

namespace cllm::bench {

struct GpuInfo {
  std::string name;
  int32_t cc_major = 0, cc_minor = 0, multiprocessors = 0;
  int64_t total_memory = 0, l2_bytes = 0;
  double peak_gb_per_s = 0;  // from the attributes
  int32_t driver_version = 0, runtime_version = 0;
};

// False (with a reason on stderr) when the device cannot be queried.
bool query_gpu(int32_t device, GpuInfo* info);

// GB/s (read + write) of the median of `passes` device-to-device copies of `bytes`.
double measure_copy_bandwidth(int32_t device, int64_t bytes, int passes);

}  // namespace cllm::bench
