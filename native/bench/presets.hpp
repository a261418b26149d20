// Model shapes the benchmark knows (Llama family, seeded random weights).
#pragma once

#include <string>

#include "cllm/cllm.h"

namespace cllm::bench {

// Fills *config for a preset name (110m, 1b, 7b, 3m, tiny); false for an unknown name. max_seq_len is
// set to max_seq_len.
bool preset_config(const std::string& name, int32_t max_seq_len, cllm_config* config);

// Parameters of a config (the output head counted once when tied).
int64_t parameter_count(const cllm_config& config);

}  // namespace cllm::bench
