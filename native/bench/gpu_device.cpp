#include "gpu_device.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include <cuda_runtime.h>

namespace cllm::bench {

bool query_gpu(int32_t device, GpuInfo* info) {
  cudaDeviceProp props{};
  cudaError_t status = cudaGetDeviceProperties(&props, device);
  if (status != cudaSuccess) {
    std::fprintf(stderr, "cllm-gpu-bench: cannot query CUDA device %d: %s\n", device, cudaGetErrorString(status));
    return false;
  }
  info->name = props.name;
  info->cc_major = props.major;
  info->cc_minor = props.minor;
  info->multiprocessors = props.multiProcessorCount;
  info->total_memory = int64_t(props.totalGlobalMem);
  info->l2_bytes = props.l2CacheSize;
  int clock_khz = 0, bus_bits = 0;
  // cudaDeviceProp lost memoryClockRate in CUDA 13; the attribute remains.
  if (cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, device) == cudaSuccess &&
      cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, device) == cudaSuccess) {
    info->peak_gb_per_s = double(clock_khz) * 1e3 * (double(bus_bits) / 8.0) * 2.0 / 1e9;
  }
  cudaDriverGetVersion(&info->driver_version);
  cudaRuntimeGetVersion(&info->runtime_version);
  return true;
}

double measure_copy_bandwidth(int32_t device, int64_t bytes, int passes) {
  if (cudaSetDevice(device) != cudaSuccess) return 0;
  void *a = nullptr, *b = nullptr;
  if (cudaMalloc(&a, size_t(bytes)) != cudaSuccess || cudaMalloc(&b, size_t(bytes)) != cudaSuccess) {
    cudaGetLastError();
    cudaFree(a);
    return 0;
  }
  cudaMemset(a, 1, size_t(bytes));  // not zeros: METHOD.md
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  std::vector<float> ms;
  for (int pass = 0; pass < passes + 1; ++pass) {  // the first pass warms up
    cudaEventRecord(start);
    cudaMemcpyAsync(b, a, size_t(bytes), cudaMemcpyDeviceToDevice);
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float elapsed = 0;
    cudaEventElapsedTime(&elapsed, start, stop);
    if (pass > 0) ms.push_back(elapsed);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  cudaFree(a);
  cudaFree(b);
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2];
  return median > 0 ? 2.0 * double(bytes) / (median * 1e-3) / 1e9 : 0;
}

}  // namespace cllm::bench
