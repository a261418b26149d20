#include "gpu_report.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include <cuda_runtime.h>

#include "gpu_device.hpp"
#include "gpu_model.hpp"
#include "gpu_runner.hpp"

namespace cllm::bench {
namespace {

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buffer[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buffer, sizeof buffer, fmt, args);
  va_end(args);
  return buffer;
}

}  // namespace

std::string gpu_report(cllm_model* model, const cllm_config& config, const GpuReportOptions& o) {
  GpuInfo gpu;
  if (!query_gpu(o.device, &gpu)) return "(no GPU information)\n";
  const int64_t bytes = forward_weight_bytes(config);
  cudaStream_t stream = nullptr;
  if (cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking) != cudaSuccess) return "(cannot create a stream)\n";
  const std::vector<GpuStepTiming> rows =
      time_gpu_steps(model, config, o.blocks, o.context, o.warmup, o.iters, stream);
  std::vector<GpuBlockTiming> blocks;
  if (o.graph) blocks = time_gpu_blocks(model, config, o.blocks, o.context, o.warmup, o.iters, stream);
  cudaStreamDestroy(stream);

  const double peak = gpu.peak_gb_per_s;
  std::string out = format("\n## %s on %s (context %d, %.2f GB of bf16 weights per forward, peak %.0f GB/s)\n\n",
                           o.preset.c_str(), gpu.name.c_str(), o.context, double(bytes) / 1e9, peak);
  out += "| n | forward+logits ms | Jacobi iteration ms | vs AR step | weights GB/s | % of peak |\n";
  out += "|---|---|---|---|---|---|\n";
  double ar_ms = 0, it16 = 0;
  for (const GpuStepTiming& r : rows) {
    if (r.n == 1) ar_ms = r.iteration_ms;
    if (r.n == 16) it16 = r.iteration_ms;
  }
  for (const GpuStepTiming& r : rows) {
    const double gbs = double(bytes) / (r.iteration_ms * 1e-3) / 1e9;
    out += format("| %d | %.3f | %.3f | %s | %.0f | %.0f%% |\n", r.n, r.forward_ms, r.iteration_ms,
                  ar_ms > 0 ? format("%.2fx", r.iteration_ms / ar_ms).c_str() : "-", gbs,
                  peak > 0 ? 100.0 * gbs / peak : 0.0);
  }
  if (ar_ms > 0) out += format("\nAR (n = 1 iteration): %.1f tokens/s\n", 1000.0 / ar_ms);
  double while16 = 0, loop16 = 0;
  if (!blocks.empty()) {
    out += "\n| block n | WHILE graph ms | iterations | ms/iteration | host loop ms | loop / graph |\n";
    out += "|---|---|---|---|---|---|\n";
    for (const GpuBlockTiming& b : blocks) {
      out += format("| %d | %.3f | %d | %.3f | %.3f | %.2fx |\n", b.n, b.while_ms, b.iterations_while,
                    b.while_ms / std::max(1, b.iterations_while), b.loop_ms, b.loop_ms / b.while_ms);
      if (b.n == 16) {
        while16 = b.while_ms / std::max(1, b.iterations_while);
        loop16 = b.loop_ms / std::max(1, b.iterations_loop);
      }
    }
  }
  const double ar_gbs = ar_ms > 0 ? double(bytes) / (ar_ms * 1e-3) / 1e9 : 0;
  out += format("\nSUMMARY|%s|%.3f|%.0f|%.0f|%.2f|%.3f|%.3f\n", o.preset.c_str(), ar_ms, ar_gbs,
                peak > 0 ? 100.0 * ar_gbs / peak : 0.0, ar_ms > 0 ? it16 / ar_ms : 0.0, while16, loop16);
  return out;
}

}  // namespace cllm::bench
