// Model shapes the benchmarks know (Llama family, seeded random weights), from the one preset table
// native/bench/model-presets.tsv that the Java CLI reads too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cllm/cllm.h"

namespace cllm::bench {

struct ModelPreset {
  const char* name;
  int32_t dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, max_seq_len;
  bool tied;
  const char* description;
};

// Every preset, in table order.
const std::vector<ModelPreset>& model_presets();

// The preset names joined by separator ("110m|15m|...").
std::string preset_names(const char* separator);

// Fills *config for a preset name; false for an unknown name. max_seq_len is set to max_seq_len (the
// benchmarks size the cache from their options, not from the table's default).
bool preset_config(const std::string& name, int32_t max_seq_len, cllm_config* config);

// Parameters of a config (the output head counted once when tied).
int64_t parameter_count(const cllm_config& config);

}  // namespace cllm::bench
