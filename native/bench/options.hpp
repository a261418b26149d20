// Command line of cllm-bench.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cllm::bench {

struct Options {
  std::string preset = "110m";  // a row of native/bench/model-presets.tsv
  bool list_presets = false;    // print the presets and exit
  int32_t backend = 0;          // CLLM_BACKEND_CPU or CLLM_BACKEND_CUDA
  int32_t device = 0;           // CUDA ordinal
  std::vector<int32_t> blocks = {1, 4, 16, 32, 64};
  int32_t iters = 10;         // timed repeats per measurement (the median is reported)
  int32_t warmup = 2;         // untimed repeats first
  int32_t context = 64;       // tokens in the KV cache before each timed forward
  int32_t ar_tokens = 64;     // greedy AR decode length for tokens/s (0: skip)
  int32_t sessions = 1;       // AR decode on this many sessions at once, one thread each
  int32_t dtype = -1;         // upload dtype; -1: f32 for CPU, bf16 for CUDA
  int32_t weights = -1;       // weight type the backend stores (CLLM_DTYPE_*); -1: the backend's default
  bool check_logits = false;  // also report the logits' error against a CPU model with f32 weights
  uint64_t seed = 1;
  int32_t threads = 0;         // CPU threads (cllm_set_num_threads); 0: the library's default
  bool membw = false;          // measure host memory read bandwidth first
  bool graph = false;          // cuda: also time whole Jacobi blocks (WHILE graph vs host loop)
  std::vector<int32_t> batch;  // --batch: session counts for batched Jacobi steps (empty: skip)
  int32_t batch_block = 16;    // Jacobi window rows per session in the batched section
  int32_t batch_steps = 20;    // iterations timed per session count
  std::string json;            // write results here too
};

// Parses argv; prints usage and exits on --help or a bad argument.
Options parse_options(int argc, char** argv);

}  // namespace cllm::bench
