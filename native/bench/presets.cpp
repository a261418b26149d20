#include "presets.hpp"

#include "random_model.hpp"

namespace cllm::bench {

const std::vector<ModelPreset>& model_presets() {
  static const std::vector<ModelPreset> presets = {
#include "model_presets.inc"
  };
  return presets;
}

std::string preset_names(const char* separator) {
  std::string names;
  for (const ModelPreset& p : model_presets()) names += (names.empty() ? "" : separator) + std::string(p.name);
  return names;
}

bool preset_config(const std::string& name, int32_t max_seq_len, cllm_config* config) {
  for (const ModelPreset& p : model_presets()) {
    if (name == p.name) {
      *config = cllm::testing::make_config(p.dim, p.hidden_dim, p.n_layers, p.n_heads, p.n_kv_heads, p.vocab_size,
                                           max_seq_len, p.tied);
      return true;
    }
  }
  return false;
}

int64_t parameter_count(const cllm_config& c) {
  const int64_t dim = c.dim, q = int64_t(c.n_heads) * c.head_dim, kv = int64_t(c.n_kv_heads) * c.head_dim;
  const int64_t layer = 2 * dim + 2 * dim * q + 2 * dim * kv + 3 * dim * int64_t(c.hidden_dim);
  return int64_t(c.vocab_size) * dim * (c.tied_embeddings ? 1 : 2) + dim + c.n_layers * layer;
}

}  // namespace cllm::bench
