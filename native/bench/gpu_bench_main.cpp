// cllm-gpu-bench: GPU timings of the CUDA backend through the C ABI, timed with CUDA events on a
// stream handed to the session (cllm_session_set_cuda_stream), against the device's peak bandwidth.
//
//   cllm-gpu-bench --preset 7b --blocks 1,8,16,32,64 --graph --gemm
//
// Per block size n: one n-token forward with logits copied back, and one Jacobi iteration
// (cllm_jacobi_step: forward, output head, argmax, accept; n = 1 is exactly an AR step), with the
// weight-read bandwidth the iteration achieves as a share of the measured device-to-device copy
// bandwidth (the unit of the goals) and of the spec peak (memory clock x bus width x 2), and the AR
// step on both GEMM paths (gpu_report.hpp). --graph times whole Jacobi blocks (cllm_jacobi_block)
// with the WHILE-node graph and with the host-loop fallback. --gemm times the block GEMM alone on the
// 7B shapes: the default tensor-core path, the GEMV opt-in for n <= 4, and cuBLAS where built.
// --switches A/B-tests the opt-in speed switches of the CUDA backend (gpu_switches.hpp). Every CUDA
// event pair brackets several calls (gpu_timer.hpp). The last thing printed is a markdown table.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include <cuda_runtime.h>

#include "gemm_rows.cuh"
#include "gpu_device.hpp"
#include "gpu_model.hpp"
#include "gpu_report.hpp"
#include "gpu_switches.hpp"
#include "gpu_timer.hpp"
#include "layout.hpp"
#include "presets.hpp"
#ifdef CLLM_HAVE_CUBLAS
#include "gemm_cublas.cuh"
#endif

namespace {

using namespace cllm::bench;

struct Options {
  std::string preset = "1b";
  int32_t device = 0;
  std::vector<int32_t> blocks = {1, 8, 16, 32, 64};
  int32_t iters = 10, warmup = 3, context = 64;
  bool graph = false, gemm = false, model = true, switches = false;
  uint64_t seed = 1;
};

[[noreturn]] void usage(const char* error) {
  if (error) std::fprintf(stderr, "cllm-gpu-bench: %s\n\n", error);
  std::fprintf(error ? stderr : stdout,
               "usage: cllm-gpu-bench [options]\n"
               "  --preset NAME              model shape (hashed random bf16 weights), default 1b: %s\n"
               "  --device N                 CUDA device, default 0\n"
               "  --blocks 1,8,16,32,64      block sizes n\n"
               "  --iters N / --warmup N     timed samples (median; each a CUDA event pair around several\n"
               "                             calls) / untimed calls first, default 10 / 3\n"
               "  --context N                tokens cached before each timed call, default 64\n"
               "  --graph                    also time whole Jacobi blocks: WHILE graph vs host loop\n"
               "  --gemm                     also time the block GEMM alone on the 7B shapes\n"
               "  --no-model                 skip the model timings (GEMM only)\n"
               "  --switches                 A/B the CUDA speed switches (NOTES.md) on the preset's shape\n",
               preset_names("|").c_str());
  std::exit(error ? 2 : 0);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + arg).c_str());
      return argv[++i];
    };
    auto number = [&](int32_t min) {
      const std::string v = value();
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < min || n > (1L << 30)) usage(("bad value for " + arg + ": " + v).c_str());
      return int32_t(n);
    };
    if (arg == "--help" || arg == "-h")
      usage(nullptr);
    else if (arg == "--preset")
      o.preset = value();
    else if (arg == "--device")
      o.device = number(0);
    else if (arg == "--iters")
      o.iters = number(1);
    else if (arg == "--warmup")
      o.warmup = number(0);
    else if (arg == "--context")
      o.context = number(0);
    else if (arg == "--graph")
      o.graph = true;
    else if (arg == "--gemm")
      o.gemm = true;
    else if (arg == "--no-model")
      o.model = false;
    else if (arg == "--switches")
      o.switches = true;
    else if (arg == "--blocks") {
      o.blocks.clear();
      std::stringstream list(value());
      std::string item;
      while (std::getline(list, item, ',')) {
        const int n = std::atoi(item.c_str());
        if (n < 1 || n > cllm::cuda::kMaxRows) usage("block sizes must be in [1, 64]");
        o.blocks.push_back(n);
      }
    } else {
      usage(("unknown option " + arg).c_str());
    }
  }
  return o;
}

void check(cllm_status status, const char* what) {
  if (status != CLLM_OK) {
    std::fprintf(stderr, "cllm-gpu-bench: %s: status %d: %s\n", what, int(status), cllm_last_error());
    std::exit(1);
  }
}

void check_cuda(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    std::fprintf(stderr, "cllm-gpu-bench: %s: %s\n", what, cudaGetErrorString(status));
    std::exit(1);
  }
}

struct GemmRow {
  std::string shape;
  int32_t n;
  double ms, gb_per_s, gemv_ms, cublas_ms;  // gemv_ms, cublas_ms: 0 where not timed
};

// GEMM launches per CUDA event pair: enough that the host's launch latency, paid once per pair,
// stays under about 1% of a 7B GEMM.
constexpr int kLaunchesPerPair = 16;

// The block GEMM alone on the 7B decode shapes; weights rotate over copies that exceed the L2.
std::vector<GemmRow> time_gemm(const Options& o, const GpuInfo& gpu) {
  namespace cuda = cllm::cuda;
  struct Shape {
    const char* name;
    int32_t in, out;
  };
  const Shape shapes[] = {{"qkv 4096x12288", 4096, 12288},
                          {"gate_up 4096x22016", 4096, 22016},
                          {"down 11008x4096", 11008, 4096},
                          {"head 4096x32000", 4096, 32000}};
  std::vector<GemmRow> rows;
  cudaStream_t stream;
  check_cuda(cudaStreamCreate(&stream), "stream");
  EventTimer timer(stream);
#ifdef CLLM_HAVE_CUBLAS
  cublasHandle_t handle;
  if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) handle = nullptr;
  if (handle) cublasSetStream(handle, stream);
#endif
  for (const Shape& s : shapes) {
    const int64_t ld = cuda::gemm_ld(s.in), stored = cuda::gemm_rows_padded(s.out);
    const int64_t matrix_bytes = stored * ld * 2;
    const int copies = int(std::max<int64_t>(2, 3 * gpu.l2_bytes / matrix_bytes + 1));
    std::vector<void*> weights(size_t(copies), nullptr);
    std::vector<uint16_t> host(size_t(stored * ld));
    uint64_t h = 12345;
    for (auto& v : host) {
      h = h * 6364136223846793005ull + 1442695040888963407ull;
      v = uint16_t(0x3c00u + ((h >> 33) & 0x3ffu));  // bf16 in [2^-7, 2^-6): never zeros
    }
    for (auto& w : weights) {
      check_cuda(cudaMalloc(&w, size_t(matrix_bytes)), "gemm weights");
      check_cuda(cudaMemcpy(w, host.data(), size_t(matrix_bytes), cudaMemcpyHostToDevice), "gemm upload");
    }
    void *x = nullptr, *y = nullptr;
    check_cuda(cudaMalloc(&x, size_t(cuda::kMaxRows * ld * 2)), "gemm x");
    check_cuda(cudaMemcpy(x, host.data(), size_t(cuda::kMaxRows * ld * 2), cudaMemcpyHostToDevice), "gemm x");
    check_cuda(cudaMalloc(&y, size_t(cuda::kMaxRows) * size_t(s.out) * sizeof(float)), "gemm y");
    for (int32_t n : o.blocks) {
      int which = 0;
      cuda::GemmRowsArgs a{};  // value-initialised: every switch at its default
      a.ld = int32_t(ld);
      a.out_rows = s.out;
      a.out_features = s.out;
      a.x = static_cast<const __nv_bfloat16*>(x);
      a.ld_x = int32_t(ld);
      a.y = y;
      a.ld_y = s.out;
      a.max_rows = n;
      auto launch = [&] {
        a.w = static_cast<const __nv_bfloat16*>(weights[size_t(which++ % copies)]);
        check_cuda(cuda::launch_gemm_rows(a, cuda::GemmEpilogue::kStore, stream), "gemm");
      };
      a.gemv_max_rows = 0;  // the default: tensor cores for every n (exact)
      const double ms = timer.median_ms(o.warmup, o.iters, kLaunchesPerPair, launch);
      double gemv_ms = 0;
      if (n <= cuda::kGemvMaxRows) {
        a.gemv_max_rows = cuda::kGemvMaxRows;  // the CLLM_CUDA_GEMV_ROWS opt-in
        gemv_ms = timer.median_ms(o.warmup, o.iters, kLaunchesPerPair, launch);
      }
      double cublas_ms = 0;
#ifdef CLLM_HAVE_CUBLAS
      if (handle) {
        cublas_ms = timer.median_ms(o.warmup, o.iters, kLaunchesPerPair, [&] {
          cuda::cublas_gemm_rows(handle, static_cast<const __nv_bfloat16*>(weights[size_t(which++ % copies)]),
                                 int32_t(ld), s.out, s.in, static_cast<const __nv_bfloat16*>(x), int32_t(ld), n,
                                 static_cast<float*>(y), s.out);
        });
      }
#endif
      rows.push_back(GemmRow{s.name, n, ms, double(matrix_bytes) / (ms * 1e-3) / 1e9, gemv_ms, cublas_ms});
    }
    for (auto& w : weights) cudaFree(w);
    cudaFree(x);
    cudaFree(y);
  }
#ifdef CLLM_HAVE_CUBLAS
  if (handle) cublasDestroy(handle);
#endif
  cudaStreamDestroy(stream);
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  int count = 0;
  const cudaError_t counted = cudaGetDeviceCount(&count);
  if (counted != cudaSuccess || count == 0) {
    // A benchmark that measured nothing must not look like one that did (ci/gpu-check.sh counts on it).
    std::fprintf(stderr, "cllm-gpu-bench: no CUDA device (%s)\n",
                 counted != cudaSuccess ? cudaGetErrorString(counted) : "0 devices");
    return 3;
  }
  GpuInfo gpu;
  if (!query_gpu(o.device, &gpu)) return 1;
  check_cuda(cudaSetDevice(o.device), "set device");
  const double copy_gb = measure_copy_bandwidth(o.device, int64_t(1) << 30, 5);
  std::printf("# cllm-gpu-bench: %s (cc %d.%d, %d SMs, %.1f GiB, L2 %.0f MiB), driver %d, runtime %d\n",
              gpu.name.c_str(), gpu.cc_major, gpu.cc_minor, gpu.multiprocessors, double(gpu.total_memory) / (1 << 30),
              double(gpu.l2_bytes) / (1 << 20), gpu.driver_version, gpu.runtime_version);
  std::printf("# peak memory bandwidth (attributes) %.0f GB/s; measured device copy %.0f GB/s (%.0f%% of peak)\n",
              gpu.peak_gb_per_s, copy_gb, gpu.peak_gb_per_s > 0 ? 100.0 * copy_gb / gpu.peak_gb_per_s : 0.0);
#ifdef CLLM_HAVE_CUBLAS
  std::printf("# cuBLAS comparison: built\n");
#else
  std::printf("# cuBLAS comparison: not built (no cuBLAS at build time)\n");
#endif

  if (o.model) {
    const int32_t largest = *std::max_element(o.blocks.begin(), o.blocks.end());
    cllm_config config{};
    if (!preset_config(o.preset, o.context + largest + 1, &config)) usage(("unknown preset " + o.preset).c_str());
    std::fprintf(stderr, "cllm-gpu-bench: uploading the %s model (%.2f GB of bf16 weights read per forward)...\n",
                 o.preset.c_str(), double(forward_weight_bytes(config)) / 1e9);
    cllm_model* model = nullptr;
    check(make_fast_random_model(config, CLLM_BACKEND_CUDA, o.device, o.seed, &model), "model");
    GpuReportOptions report;
    report.preset = o.preset;
    report.device = o.device;
    report.blocks = o.blocks;
    report.context = o.context;
    report.warmup = o.warmup;
    report.iters = o.iters;
    report.graph = o.graph;
    report.seed = o.seed;
    report.copy_gb_per_s = copy_gb;
    const std::string markdown = gpu_report(model, config, report);
    cllm_model_free(model);
    std::printf("%s", markdown.c_str());
  }
  if (o.switches) {
    SwitchBenchOptions switch_options;
    switch_options.preset = o.preset;
    switch_options.device = o.device;
    switch_options.warmup = o.warmup;
    switch_options.iters = o.iters;
    std::printf("%s", switch_report(switch_options).c_str());
  }
  std::vector<GemmRow> gemms;
  if (o.gemm) gemms = time_gemm(o, gpu);
  if (!gemms.empty()) {
    auto percent = [](double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; };
    auto ms_or_dash = [](double ms) { return ms > 0 ? std::to_string(ms).substr(0, 6) : std::string("-"); };
    std::printf(
        "\n## Block GEMM alone (7B shapes; tensor-core path; %d launches per event pair; measured copy %.0f GB/s,"
        " spec peak %.0f GB/s)\n\n",
        kLaunchesPerPair, copy_gb, gpu.peak_gb_per_s);
    std::printf(
        "| GEMM | n | ms | GB/s | %% of copy | %% of peak | GEMV ms | cuBLAS ms "
        "|\n|---|---|---|---|---|---|---|---|\n");
    for (const GemmRow& g : gemms) {
      std::printf("| %s | %d | %.4f | %.0f | %.0f%% | %.0f%% | %s | %s |\n", g.shape.c_str(), g.n, g.ms, g.gb_per_s,
                  percent(g.gb_per_s, copy_gb), percent(g.gb_per_s, gpu.peak_gb_per_s), ms_or_dash(g.gemv_ms).c_str(),
                  ms_or_dash(g.cublas_ms).c_str());
    }
  }
  return 0;
}
