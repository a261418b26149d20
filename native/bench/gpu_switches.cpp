#include "gpu_switches.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <cuda_runtime.h>

#include "cllm/cllm.h"
#include "gpu_model.hpp"
#include "gpu_timer.hpp"
#include "presets.hpp"
#include "reference_model.hpp"

namespace cllm::bench {
namespace {

const char* const kSwitches[] = {"CLLM_CUDA_PDL", "CLLM_CUDA_ROPE_TABLE", "CLLM_CUDA_ROW_SPREAD", "CLLM_CUDA_ATTN_V2",
                                 "CLLM_CUDA_GEMM_PREFETCH"};

struct Variant {
  std::string name;
  std::vector<const char*> on;
};

std::vector<Variant> variants() {
  std::vector<Variant> v = {{"plain", {}}};
  for (const char* s : kSwitches) v.push_back({std::string(s).substr(10), {s}});
  v.push_back({"all", {std::begin(kSwitches), std::end(kSwitches)}});
  return v;
}

void set_switches(const Variant& v) {
  for (const char* s : kSwitches) setenv(s, "0", 1);
  for (const char* s : v.on) setenv(s, "1", 1);
}

struct Row {
  std::string name;
  int32_t context = 0;
  double ar_ms = 0, iteration_ms = 0, logits_error = 0;
  bool same_argmax = true;
  std::string error;
};

std::vector<int32_t> tokens(int32_t n, int32_t vocab, int32_t salt) {
  std::vector<int32_t> t(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) t[size_t(i)] = int32_t((int64_t(i) * 7919 + int64_t(salt) * 104729 + 17) % vocab);
  return t;
}

// One variant at one context; an ABI error ends the variant and lands in row.error.
Row run_variant(cllm_model* model, const cllm_config& config, const Variant& v, int32_t context,
                const SwitchBenchOptions& o, cudaStream_t stream, const std::vector<float>* plain_logits,
                std::vector<float>* logits) {
  Row row;
  row.name = v.name;
  row.context = context;
  set_switches(v);
  cllm_session* session = nullptr;
  auto fail = [&](const char* what) {
    row.error = std::string(what) + ": " + cllm_last_error();
    return false;
  };
  const int32_t n = o.rows, vocab = config.vocab_size;
  auto body = [&]() {
    if (cllm_session_create(model, context + n + 1, &session) != CLLM_OK) return fail("session");
    if (cllm_session_set_cuda_stream(session, stream) != CLLM_OK) return fail("stream");
    const auto prompt = tokens(std::max(context, 1), vocab, 1);
    if (context > 0 && cllm_session_forward(session, prompt.data(), context, nullptr) != CLLM_OK) return fail("prompt");
    // Logits of an n-token forward, compared with the plain session's.
    const auto window = tokens(n, vocab, 2);
    logits->assign(size_t(n) * size_t(vocab), 0.0f);
    if (cllm_session_forward(session, window.data(), n, logits->data()) != CLLM_OK) return fail("forward");
    if (cllm_session_truncate(session, context) != CLLM_OK) return fail("truncate");
    if (plain_logits) {
      row.logits_error = cllm::testing::max_relative_error(*logits, *plain_logits);
      std::vector<int32_t> mine(static_cast<size_t>(n)), theirs(static_cast<size_t>(n));
      cllm_argmax_rows(logits->data(), n, vocab, mine.data());
      cllm_argmax_rows(plain_logits->data(), n, vocab, theirs.data());
      row.same_argmax = mine == theirs;
    }
    EventTimer timer(stream);
    std::vector<int32_t> predictions(static_cast<size_t>(n));
    bool ok = true;
    auto step = [&](int32_t width) {
      return [&, width] {
        int32_t accepted = 0;
        ok = ok && cllm_jacobi_step(session, window.data(), width, predictions.data(), &accepted) == CLLM_OK &&
             cllm_session_truncate(session, context) == CLLM_OK;
      };
    };
    row.ar_ms = timer.median_ms_auto(o.warmup, o.iters, step(1));
    row.iteration_ms = timer.median_ms_auto(o.warmup, o.iters, step(n));
    return ok ? true : fail("jacobi step");
  };
  body();
  if (session) {
    cllm_session_set_cuda_stream(session, nullptr);
    cllm_session_free(session);
  }
  for (const char* s : kSwitches) unsetenv(s);
  std::fprintf(stderr, "  %-14s context %-5d AR %.3f ms, %d rows %.3f ms%s%s\n", row.name.c_str(), context, row.ar_ms,
               n, row.iteration_ms, row.error.empty() ? "" : ", FAILED: ", row.error.c_str());
  return row;
}

std::string percent(double value, double base) {
  if (value <= 0 || base <= 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f%%", 100.0 * (value - base) / base);
  return text;
}

}  // namespace

std::string switch_report(const SwitchBenchOptions& o) {
  const int32_t largest = *std::max_element(o.contexts.begin(), o.contexts.end());
  cllm_config config{};
  if (!preset_config(o.preset, largest + o.rows + 1, &config)) {
    std::fprintf(stderr, "cllm-gpu-bench --switches: unknown preset %s\n", o.preset.c_str());
    std::exit(2);
  }
  int32_t cc_major = 0, cc_minor = 0;
  cllm_cuda_device_info(o.device, nullptr, 0, nullptr, &cc_major, &cc_minor);
  std::fprintf(stderr, "cllm-gpu-bench --switches: uploading the %s model...\n", o.preset.c_str());
  cllm_model* model = nullptr;
  if (make_fast_random_model(config, CLLM_BACKEND_CUDA, o.device, o.seed, &model) != CLLM_OK) {
    std::fprintf(stderr, "cllm-gpu-bench --switches: model: %s\n", cllm_last_error());
    std::exit(1);
  }
  cudaStream_t stream = nullptr;
  if (cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking) != cudaSuccess) {
    std::fprintf(stderr, "cllm-gpu-bench --switches: cannot create a stream\n");
    std::exit(1);
  }
  std::ostringstream out;
  out << "\n## Speed switches (" << o.preset << ", cc " << cc_major << "." << cc_minor << ", median of " << o.iters
      << ")\n\n";
  if (cc_major < 9) out << "PDL needs compute capability 9.0: its rows run the plain launches here.\n\n";
  out << "| switch | context | AR step ms | vs plain | " << o.rows << "-row iteration ms | vs plain | logits vs plain "
      << "(max rel) | same argmax |\n|---|---|---|---|---|---|---|---|\n";
  std::vector<std::string> summaries;
  for (int32_t context : o.contexts) {
    std::vector<float> plain_logits, logits;
    Row plain;
    std::ostringstream summary;
    summary << "SWITCHES|" << o.preset << "|context=" << context;
    for (const Variant& v : variants()) {
      const bool is_plain = v.on.empty();
      const Row r = run_variant(model, config, v, context, o, stream, is_plain ? nullptr : &plain_logits,
                                is_plain ? &plain_logits : &logits);
      if (is_plain) plain = r;
      char line[512];
      if (!r.error.empty()) {
        std::snprintf(line, sizeof line, "| %s | %d | FAILED: %s | | | | | |\n", r.name.c_str(), context,
                      r.error.c_str());
      } else {
        std::snprintf(line, sizeof line, "| %s | %d | %.3f | %s | %.3f | %s | %s | %s |\n", r.name.c_str(), context,
                      r.ar_ms, is_plain ? "-" : percent(r.ar_ms, plain.ar_ms).c_str(), r.iteration_ms,
                      is_plain ? "-" : percent(r.iteration_ms, plain.iteration_ms).c_str(),
                      is_plain ? "-" : (std::to_string(r.logits_error).substr(0, 8)).c_str(),
                      is_plain ? "-" : (r.same_argmax ? "yes" : "NO"));
      }
      out << line;
      summary << "|" << r.name << "="
              << (r.error.empty() ? percent(r.ar_ms, plain.ar_ms) + "/" + percent(r.iteration_ms, plain.iteration_ms)
                                  : std::string("FAILED"));
    }
    summaries.push_back(summary.str());
  }
  out << "\n(vs plain: change of the median device time; negative is faster.)\n";
  for (const std::string& s : summaries) out << s << "\n";
  cudaStreamDestroy(stream);
  cllm_model_free(model);
  return out.str();
}

}  // namespace cllm::bench
