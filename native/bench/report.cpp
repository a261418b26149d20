#include "report.hpp"

#include <cstdio>
#include <string>

namespace cllm::bench {
namespace {

const BlockResult* block_one(const Report& r) {
  for (const auto& b : r.blocks) {
    if (b.n == 1) return &b;
  }
  return nullptr;
}

double gb_per_s(const Report& r, double seconds) { return seconds > 0 ? double(r.weight_bytes) / seconds / 1e9 : 0; }

}  // namespace

void print_table(const Report& r) {
  const cllm_config& c = r.config;
  std::printf("cllm-bench: preset %s on %s (%s), %s weights, %d threads\n", r.options.preset.c_str(),
              r.backend_name.c_str(), r.kernels.c_str(), r.weights.c_str(), r.threads);
  std::printf(
      "  dim %d, hidden %d, layers %d, heads %d/%d, head_dim %d, vocab %d, %s; %.1fM parameters, %.1f MB of weights\n",
      c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.head_dim, c.vocab_size,
      c.tied_embeddings ? "tied" : "untied", r.parameters / 1e6, r.weight_bytes / 1e6);
  if (r.membw_gb_per_s > 0) {
    std::printf("  host memory read bandwidth %.1f GB/s: a weight pass takes at least %.2f ms\n", r.membw_gb_per_s,
                r.weight_bytes / r.membw_gb_per_s / 1e6);
  }
  std::printf("  context %d tokens; median of %d runs (min..max)\n\n", r.options.context, r.options.iters);
  const BlockResult* one = block_one(r);
  std::printf("  %5s  %22s  %9s  %8s  %22s  %9s  %10s\n", "n", "forward ms", "fwd/n=1", "GB/s", "jacobi step ms",
              "step/n=1", "tokens/s");
  for (const auto& b : r.blocks) {
    char fwd[64], jac[64];
    std::snprintf(fwd, sizeof fwd, "%.2f (%.2f..%.2f)", b.forward.median * 1e3, b.forward.min * 1e3,
                  b.forward.max * 1e3);
    std::snprintf(jac, sizeof jac, "%.2f (%.2f..%.2f)", b.jacobi.median * 1e3, b.jacobi.min * 1e3, b.jacobi.max * 1e3);
    std::printf("  %5d  %22s  %9.2f  %8.1f  %22s  %9.2f  %10.1f\n", b.n, fwd,
                one ? b.forward.median / one->forward.median : 0.0, gb_per_s(r, b.forward.median), jac,
                one ? b.jacobi.median / one->jacobi.median : 0.0, b.n / b.forward.median);
  }
  if (r.ar.tokens > 0) {
    std::printf("\n  AR greedy decode: %.1f tokens/s%s (%d tokens; per token median %.2f ms, min %.2f, max %.2f)\n",
                r.ar.tokens_per_s,
                r.ar.sessions > 1 ? (" over " + std::to_string(r.ar.sessions) + " sessions").c_str() : "", r.ar.tokens,
                r.ar.per_token.median * 1e3, r.ar.per_token.min * 1e3, r.ar.per_token.max * 1e3);
  }
  if (!r.batched.empty()) {
    std::printf("\n  Batched Jacobi, n = %d per session, %d iterations: one forward for all sessions vs each alone\n",
                r.batched[0].n, r.batched[0].steps);
    std::printf("  %8s  %12s  %15s  %16s  %15s  %8s  %11s\n", "sessions", "tokens/step", "batched step ms",
                "batched tokens/s", "alone tokens/s", "speedup", "same tokens");
    for (const auto& b : r.batched) {
      std::printf("  %8d  %12.2f  %15.2f  %16.1f  %15.1f  %7.2fx  %11s\n", b.sessions, b.tokens_per_step,
                  b.batched_step_ms, b.batched_tokens_per_s, b.alone_tokens_per_s,
                  b.alone_tokens_per_s > 0 ? b.batched_tokens_per_s / b.alone_tokens_per_s : 0.0,
                  b.same_tokens ? "yes" : "NO");
    }
  }
  if (r.logits_error >= 0) {
    std::printf("  logits vs f32 weights (cpu): max relative error %.3g over a %d-token block\n", r.logits_error,
                kLogitsCheckTokens);
  }
  if (r.other_busy_cores >= 0) {
    std::printf("  other processes kept %.2f cores busy during the timings", r.other_busy_cores);
    if (r.other_busy_cores > 0.2 && r.backend_name == "cpu") std::printf(": CPU timings are noisy");
    std::printf("\n");
  }
}

bool write_json(const Report& r, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  const cllm_config& c = r.config;
  const BlockResult* one = block_one(r);
  std::fprintf(f,
               "{\n  \"preset\": \"%s\",\n  \"backend\": \"%s\",\n  \"kernels\": \"%s\",\n  \"weights\": \"%s\",\n  "
               "\"threads\": %d,\n",
               r.options.preset.c_str(), r.backend_name.c_str(), r.kernels.c_str(), r.weights.c_str(), r.threads);
  if (r.logits_error >= 0) std::fprintf(f, "  \"logits_error_vs_f32\": %.6g,\n", r.logits_error);
  std::fprintf(f,
               "  \"config\": {\"dim\": %d, \"hidden_dim\": %d, \"n_layers\": %d, \"n_heads\": %d, \"n_kv_heads\": %d, "
               "\"head_dim\": %d, \"vocab_size\": %d, \"tied_embeddings\": %d},\n",
               c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.head_dim, c.vocab_size, c.tied_embeddings);
  std::fprintf(f, "  \"parameters\": %lld,\n  \"weight_bytes\": %lld,\n  \"context\": %d,\n  \"iters\": %d,\n",
               (long long)r.parameters, (long long)r.weight_bytes, r.options.context, r.options.iters);
  if (r.membw_gb_per_s > 0) std::fprintf(f, "  \"host_read_gb_per_s\": %.3f,\n", r.membw_gb_per_s);
  std::fprintf(f, "  \"blocks\": [\n");
  for (size_t i = 0; i < r.blocks.size(); ++i) {
    const BlockResult& b = r.blocks[i];
    std::fprintf(f,
                 "    {\"n\": %d, \"forward_ms\": %.4f, \"forward_ms_min\": %.4f, \"forward_ms_max\": %.4f, "
                 "\"forward_ratio_to_n1\": %.4f, \"weight_gb_per_s\": %.3f, \"jacobi_step_ms\": %.4f, "
                 "\"jacobi_step_ms_min\": %.4f, \"jacobi_step_ms_max\": %.4f, \"jacobi_ratio_to_n1\": %.4f}%s\n",
                 b.n, b.forward.median * 1e3, b.forward.min * 1e3, b.forward.max * 1e3,
                 one ? b.forward.median / one->forward.median : 0.0, gb_per_s(r, b.forward.median),
                 b.jacobi.median * 1e3, b.jacobi.min * 1e3, b.jacobi.max * 1e3,
                 one ? b.jacobi.median / one->jacobi.median : 0.0, i + 1 < r.blocks.size() ? "," : "");
  }
  std::fprintf(f,
               "  ],\n  \"ar\": {\"tokens\": %d, \"sessions\": %d, \"tokens_per_s\": %.3f, \"per_token_ms\": %.4f},\n",
               r.ar.tokens, r.ar.sessions, r.ar.tokens_per_s, r.ar.per_token.median * 1e3);
  std::fprintf(f, "  \"batched\": [");
  for (size_t i = 0; i < r.batched.size(); ++i) {
    const BatchRow& b = r.batched[i];
    std::fprintf(
        f,
        "%s\n    {\"sessions\": %d, \"n\": %d, \"steps\": %d, \"tokens_per_step\": %.3f, \"batched_step_ms\": %.4f, "
        "\"batched_tokens_per_s\": %.3f, \"alone_tokens_per_s\": %.3f, \"same_tokens\": %s}",
        i ? "," : "", b.sessions, b.n, b.steps, b.tokens_per_step, b.batched_step_ms, b.batched_tokens_per_s,
        b.alone_tokens_per_s, b.same_tokens ? "true" : "false");
  }
  std::fprintf(f, "%s],\n", r.batched.empty() ? "" : "\n  ");
  std::fprintf(f, "  \"other_busy_cores\": %.3f\n}\n", r.other_busy_cores);
  return std::fclose(f) == 0;
}

}  // namespace cllm::bench
