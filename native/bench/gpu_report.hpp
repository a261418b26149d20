// The GPU section of a benchmark report, for cllm-gpu-bench and for cllm-bench --backend cuda (which
// calls this when built with CLLM_BENCH_CUDA): device, spec peak and measured copy bandwidth, per-n
// device times from CUDA events with the weight-read bandwidth as a share of both, the AR step on both
// GEMM paths (the exact tensor-core default and the GEMV opt-in; the faster one is the baseline of
// every ratio), optionally whole Jacobi blocks (WHILE graph vs host loop), and one SUMMARY| line of
// key=value fields that ci/gpu-check.sh collects.
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
  // The AR step on the other GEMM path needs a second model (CLLM_CUDA_GEMV_ROWS is read when a model
  // is created); it gets hashed weights of this seed, as make_fast_random_model makes them.
  bool compare_gemm_paths = true;
  uint64_t seed = 1;
  double copy_gb_per_s = 0;  // measured device-to-device copy bandwidth; 0: measured here
};

// Markdown (ends with the SUMMARY line). Exits with a message on an ABI error.
std::string gpu_report(cllm_model* model, const cllm_config& config, const GpuReportOptions& options);

// CLLM_CUDA_GEMV_ROWS as a CUDA model created now reads it: rows up to this many take the CUDA-core
// GEMV path; 0 (the default) means tensor cores for every row count, the exact path.
int32_t gemv_rows_setting();

}  // namespace cllm::bench
