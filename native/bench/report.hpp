// Printing cllm-bench results: a table on stdout and optionally JSON.
#pragma once

#include <string>
#include <vector>

#include "batch_bench.hpp"
#include "cllm/cllm.h"
#include "options.hpp"
#include "runner.hpp"

namespace cllm::bench {

struct Report {
  Options options;
  cllm_config config{};
  std::string backend_name, kernels;  // kernels: the CPU ISA path, or the device name
  std::string weights;                // the weight type the backend stores
  double logits_error = -1;           // --check-logits: relative error against f32 weights (-1: not measured)
  int32_t threads = 0;
  int64_t parameters = 0, weight_bytes = 0;
  double membw_gb_per_s = 0;     // 0: not measured
  double other_busy_cores = -1;  // cores other processes kept busy during the timings (-1: unknown)
  std::vector<BlockResult> blocks;
  ArResult ar;
  std::vector<BatchRow> batched;
};

void print_table(const Report& report);
// False when the file cannot be written.
bool write_json(const Report& report, const std::string& path);

}  // namespace cllm::bench
