// cllm-bench: forward and Jacobi-step timings of a seeded random model through the C ABI.
//
//   cllm-bench --preset 110m --backend cpu --weights q8_0 --blocks 1,4,16,32,64 --iters 10 --json out.json
//
// Per block size n it reports the time of one n-token forward (with logits), of one Jacobi iteration
// (cllm_jacobi_step: forward, argmax, accept), their ratio to n = 1, and the weight-read bandwidth that
// the forward achieves (weight bytes / time: every forward reads all weights once). Then greedy AR
// tokens/s. --weights picks the weight type the backend stores (f32, bf16, q8_0 on the CPU), and
// --check-logits adds the logits' error against f32 weights. Only the backend constant differs between
// CPU and CUDA runs. Built with the CUDA backend (CLLM_BENCH_CUDA), --backend cuda adds the GPU section
// (gpu_report.hpp): device times from CUDA events, the share of the measured copy bandwidth and of the
// spec peak, the AR step on both GEMM paths, and with --graph whole Jacobi blocks (WHILE graph vs host
// loop). --batch 1,2,4,8,16 adds aggregate tokens/s of that many sessions in batched Jacobi steps
// (batch_bench.hpp).

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "cpu/isa.hpp"
#ifdef CLLM_BENCH_CUDA
#include "gpu_model.hpp"
#include "gpu_report.hpp"
#endif
#include "batch_bench.hpp"
#include "machine_load.hpp"
#include "membw.hpp"
#include "options.hpp"
#include "presets.hpp"
#include "random_model.hpp"
#include "report.hpp"
#include "runner.hpp"

namespace {

using namespace cllm::bench;
using cllm::testing::check;

// MemAvailable of /proc/meminfo in bytes, or -1.
int64_t available_memory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  int64_t value = 0;
  std::string unit;
  while (meminfo >> key >> value >> unit) {
    if (key == "MemAvailable:") return value * 1024;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  Report report;
  report.options = options;
  int32_t largest = 1;
  for (int32_t n : options.blocks) largest = n > largest ? n : largest;
  int32_t max_seq = options.context + (largest > options.ar_tokens + 1 ? largest : options.ar_tokens + 1);
  if (!options.batch.empty()) {
    max_seq = std::max(max_seq, options.context + options.batch_steps * options.batch_block + options.batch_block + 1);
  }
  if (options.list_presets) {  // the shape columns of the table, as bench_presets_match_table compares them
    for (const ModelPreset& p : model_presets()) {
      std::printf("%s %d %d %d %d %d %d %d %s\n", p.name, p.dim, p.hidden_dim, p.n_layers, p.n_heads, p.n_kv_heads,
                  p.vocab_size, p.max_seq_len, p.tied ? "tied" : "untied");
    }
    return 0;
  }
  if (!preset_config(options.preset, max_seq, &report.config)) {
    std::fprintf(stderr, "cllm-bench: unknown preset %s (%s)\n", options.preset.c_str(), preset_names(", ").c_str());
    return 2;
  }
  const cllm_config& config = report.config;
  report.parameters = parameter_count(config);
  const bool cpu = options.backend == CLLM_BACKEND_CPU;
  report.backend_name = cpu ? "cpu" : "cuda";
  check(cllm_backend_available(options.backend), "backend");
  if (cpu) {
    report.kernels = cllm::cpu::select_kernels().name;
    check(cllm_set_num_threads(options.threads), "threads");
    report.threads = cllm_get_num_threads();
    // fp32 weights (a --check-logits reference too) + working room
    const int64_t need = report.parameters * 4 * (options.check_logits ? 2 : 1) + (int64_t(1) << 30);
    const int64_t have = available_memory();
    if (have > 0 && need > have) {
      std::fprintf(stderr,
                   "cllm-bench: preset %s needs about %.1f GB of host memory for fp32 weights, %.1f GB available\n",
                   options.preset.c_str(), need / 1e9, have / 1e9);
      return 3;
    }
  } else {
    report.kernels = "device " + std::to_string(options.device);
  }
  if (options.membw && cpu) {
    const int64_t bytes = report.parameters * 4 > (int64_t(256) << 20) ? report.parameters * 4 : int64_t(256) << 20;
    measure_read_bandwidth(bytes < (int64_t(1) << 31) ? bytes : int64_t(1) << 31, 9, &report.membw_gb_per_s);
  }

  std::fprintf(stderr, "cllm-bench: building the %s model (%.1fM parameters)...\n", options.preset.c_str(),
               report.parameters / 1e6);
  const double start = now_seconds();
  cllm_model* model = nullptr;
#ifdef CLLM_BENCH_CUDA
  if (!cpu && options.dtype == CLLM_DTYPE_BF16 &&
      (options.weights == CLLM_DTYPE_DEFAULT || options.weights == CLLM_DTYPE_BF16)) {
    // Hashed uniform bf16 weights on all cores: a 7B model in seconds; timings do not depend on the
    // distribution.
    check(make_fast_random_model(config, options.backend, options.device, options.seed, &model), "random model");
  } else
#endif
    check(cllm::testing::make_random_model(config, options.backend, options.device, options.seed,
                                           cllm_dtype(options.dtype), options.weights, &model),
          "random model");
  check(cllm_model_weight_bytes(model, &report.weight_bytes), "weight bytes");
  int32_t weights = 0;
  check(cllm_model_weight_dtype(model, &weights), "weight type");
  report.weights = weights == CLLM_DTYPE_BF16 ? "bf16" : weights == CLLM_DTYPE_Q8_0 ? "q8_0" : "f32";
  std::fprintf(stderr, "cllm-bench: model ready in %.1f s\n", now_seconds() - start);

  const CpuSample before = sample_cpu();
  report.blocks = time_blocks(model, config, options.blocks, options.context, options.warmup, options.iters);
  report.ar = time_ar(model, config, options.context, options.ar_tokens, 3, options.sessions);
  if (!options.batch.empty()) {
    report.batched =
        time_batches(model, config, options.batch, options.batch_block, options.context, options.batch_steps);
  }
  report.other_busy_cores = other_busy_cores(before, sample_cpu());
  if (options.check_logits) report.logits_error = logits_error_vs_f32(model, config, options.seed);
  std::string gpu_section;
#ifdef CLLM_BENCH_CUDA
  if (!cpu) {
    GpuReportOptions gpu;
    gpu.preset = options.preset;
    gpu.device = options.device;
    gpu.blocks = options.blocks;
    gpu.context = options.context;
    gpu.warmup = options.warmup;
    gpu.iters = options.iters;
    gpu.graph = options.graph;
    gpu.seed = options.seed;
    gpu_section = gpu_report(model, config, gpu);
  }
#endif
  cllm_model_free(model);

  print_table(report);
  if (!gpu_section.empty()) std::printf("%s", gpu_section.c_str());
  if (!options.json.empty() && !write_json(report, options.json)) {
    std::fprintf(stderr, "cllm-bench: cannot write %s\n", options.json.c_str());
    return 1;
  }
  return 0;
}
