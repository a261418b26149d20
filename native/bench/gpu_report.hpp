// The GPU section of a benchmark report, for cllm-gpu-bench and for cllm-bench --backend cuda (which
// calls this when built with CLLM_BENCH_CUDA): device and peak bandwidth, per-n device times from CUDA
// events with the weight-read bandwidth and its fraction of the peak, optionally whole Jacobi blocks
// (WHILE graph vs host loop), and one SUMMARY| line that ci/gpu-check.sh collects.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cllm/cllm.h"

namespace cllm::bench {

struct GpuReportOptions {
  std::string preset;
  int32_t device = 0;
  std::vector<int32_t> blocks;
  int32_t context = 64;
  int warmup = 3, iters = 10;
  bool graph = false;
};

// Markdown (ends with the SUMMARY line). Exits with a message on an ABI error.
std::string gpu_report(cllm_model* model, const cllm_config& config, const GpuReportOptions& options);

}  // namespace cllm::bench
