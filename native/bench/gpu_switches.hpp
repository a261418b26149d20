// cllm-gpu-bench --switches: one device run A/B-tests the CUDA speed switches (native/cuda/NOTES.md,
// "Speed switches"). One model of the preset's shape is uploaded once; for each switch alone, all of
// them together, and none, a session is created with the environment set accordingly (the switches are
// read at session creation) and times, with CUDA events, an AR step (cllm_jacobi_step, n = 1) and a
// 16-row Jacobi iteration at a short and a long context. Each variant's logits of a 16-token forward
// are compared with the plain session's (max relative error, same argmax per row), so the run also
// checks correctness on the device. A variant that fails (e.g. a graph with PDL edges the driver
// rejects) is reported in its row and the others still run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cllm::bench {

struct SwitchBenchOptions {
  std::string preset = "7b";
  int32_t device = 0;
  std::vector<int32_t> contexts = {64, 1024};
  int32_t rows = 16;  // the Jacobi iteration's width
  int warmup = 3, iters = 10;
  uint64_t seed = 1;
};

// Markdown table of the timings, then one line per context for ci/gpu-check.sh:
//   SWITCHES|<preset>|context=<c>|plain=+0.0%/+0.0%|PDL=<AR change>/<iteration change>|...|all=...
// Exits with a message when the model cannot be created.
std::string switch_report(const SwitchBenchOptions& options);

}  // namespace cllm::bench
