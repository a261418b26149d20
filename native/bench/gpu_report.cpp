#include "gpu_report.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <cuda_runtime.h>

#include "gemm_rows.cuh"
#include "gpu_device.hpp"
#include "gpu_model.hpp"
#include "gpu_runner.hpp"

namespace cllm::bench {
namespace {

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buffer, sizeof buffer, fmt, args);
  va_end(args);
  return buffer;
}

double percent(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }

// Sets an environment variable for the lifetime of this object, then puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (had_)
      setenv(name_, old_.c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  bool had_ = false;
  std::string old_;
};

std::string path_name(int32_t gemv_rows) {
  return gemv_rows > 0 ? format("GEMV up to %d rows (CLLM_CUDA_GEMV_ROWS=%d, opt-in)", gemv_rows, gemv_rows)
                       : std::string("tensor cores for every n (CLLM_CUDA_GEMV_ROWS=0, default, exact)");
}

// The AR step (n = 1 iteration) on a second model of the same shape whose GEMMs take the given path;
// 0 when it cannot be built (the reason goes to stderr).
double ar_step_on_path(const cllm_config& config, const GpuReportOptions& o, int32_t gemv_rows, cudaStream_t stream) {
  cllm_model* model = nullptr;
  cllm_status status;
  {
    const ScopedEnv env("CLLM_CUDA_GEMV_ROWS", std::to_string(gemv_rows));  // read at model creation
    status = make_fast_random_model(config, CLLM_BACKEND_CUDA, o.device, o.seed, &model);
  }
  if (status != CLLM_OK) {
    std::fprintf(stderr, "gpu report: no second model for the %s AR step: %s\n", path_name(gemv_rows).c_str(),
                 cllm_last_error());
    return 0;
  }
  const std::vector<GpuStepTiming> ar = time_gpu_steps(model, config, {1}, o.context, o.warmup, o.iters, stream);
  cllm_model_free(model);
  return ar.empty() ? 0 : ar[0].iteration_ms;
}

}  // namespace

int32_t gemv_rows_setting() {
  const char* value = std::getenv("CLLM_CUDA_GEMV_ROWS");
  if (!value || !*value) return 0;
  char* end = nullptr;
  const long rows = std::strtol(value, &end, 10);
  if (*end) return 0;  // the backend ignores a value that is not a number
  return int32_t(std::clamp<long>(rows, 0, cuda::kGemvMaxRows));
}

std::string gpu_report(cllm_model* model, const cllm_config& config, const GpuReportOptions& o) {
  GpuInfo gpu;
  if (!query_gpu(o.device, &gpu)) return "(no GPU information)\n";
  const double copy = o.copy_gb_per_s > 0 ? o.copy_gb_per_s : measure_copy_bandwidth(o.device, int64_t(1) << 30, 5);
  const int64_t bytes = forward_weight_bytes(config);
  const int32_t this_path = gemv_rows_setting();
  const int32_t other_path = this_path > 0 ? 0 : cuda::kGemvMaxRows;
  cudaStream_t stream = nullptr;
  if (cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking) != cudaSuccess) return "(cannot create a stream)\n";
  const std::vector<GpuStepTiming> rows = time_gpu_steps(model, config, o.blocks, o.context, o.warmup, o.iters, stream);
  std::vector<GpuBlockTiming> blocks;
  if (o.graph) blocks = time_gpu_blocks(model, config, o.blocks, o.context, o.warmup, o.iters, stream);
  const double other_ar = o.compare_gemm_paths ? ar_step_on_path(config, o, other_path, stream) : 0.0;
  cudaStreamDestroy(stream);

  double this_ar = 0, it16 = 0;
  for (const GpuStepTiming& r : rows) {
    if (r.n == 1) this_ar = r.iteration_ms;
    if (r.n == 16) it16 = r.iteration_ms;
  }
  const double exact_ar = this_path == 0 ? this_ar : other_ar, gemv_ar = this_path == 0 ? other_ar : this_ar;
  // The fastest AR step measured is the baseline every ratio is taken against.
  double baseline = 0;
  for (double ar : {exact_ar, gemv_ar}) {
    if (ar > 0 && (baseline == 0 || ar < baseline)) baseline = ar;
  }

  const double peak = gpu.peak_gb_per_s;
  std::string out = format(
      "\n## %s on %s (context %d, %.2f GB of bf16 weights per forward; spec peak %.0f GB/s, measured copy %.0f "
      "GB/s)\n\n"
      "Device time per call from CUDA events around several calls in a row. GEMM path of this table: %s.\n"
      "%% of copy: weight bytes read per second against the measured device-to-device copy (bytes read + written).\n\n",
      o.preset.c_str(), gpu.name.c_str(), o.context, double(bytes) / 1e9, peak, copy, path_name(this_path).c_str());
  out +=
      "| n | forward+logits ms | Jacobi iteration ms | vs fastest AR step | weights GB/s | % of copy | % of peak |\n";
  out += "|---|---|---|---|---|---|---|\n";
  for (const GpuStepTiming& r : rows) {
    const double gbs = double(bytes) / (r.iteration_ms * 1e-3) / 1e9;
    out += format("| %d | %.3f | %.3f | %s | %.0f | %.0f%% | %.0f%% |\n", r.n, r.forward_ms, r.iteration_ms,
                  baseline > 0 ? format("%.2fx", r.iteration_ms / baseline).c_str() : "-", gbs, percent(gbs, copy),
                  percent(gbs, peak));
  }
  auto ar_text = [](double ms) {
    return ms > 0 ? format("%.3f ms (%.1f tokens/s)", ms, 1000.0 / ms) : std::string("not measured");
  };
  out += format(
      "\nAR step (n = 1 iteration): tensor cores %s, exact (Jacobi == AR); GEMV opt-in (CLLM_CUDA_GEMV_ROWS=%d) %s.\n",
      ar_text(exact_ar).c_str(), cuda::kGemvMaxRows, ar_text(gemv_ar).c_str());
  if (baseline > 0) out += format("Baseline of every ratio: the fastest AR step, %.3f ms.\n", baseline);
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
  const double ar_gbs = baseline > 0 ? double(bytes) / (baseline * 1e-3) / 1e9 : 0;
  out += format(
      "\nSUMMARY|preset=%s|ar_exact_ms=%.3f|ar_gemv_ms=%.3f|ar_baseline_ms=%.3f|ar_gbs=%.0f|copy_gbs=%.0f|"
      "ar_pct_copy=%.0f|peak_gbs=%.0f|ar_pct_peak=%.0f|it16_vs_ar=%.2f|while16_ms_per_it=%.3f|loop16_ms_per_it=%.3f\n",
      o.preset.c_str(), exact_ar, gemv_ar, baseline, ar_gbs, copy, percent(ar_gbs, copy), peak, percent(ar_gbs, peak),
      baseline > 0 ? it16 / baseline : 0.0, while16, loop16);
  return out;
}

}  // namespace cllm::bench
