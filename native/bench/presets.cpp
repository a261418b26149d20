#include "presets.hpp"

#include "random_model.hpp"

namespace cllm::bench {

bool preset_config(const std::string& name, int32_t max_seq_len, cllm_config* config) {
  using cllm::testing::make_config;
  if (name == "110m") {  // llama2.c stories110M
    *config = make_config(768, 2048, 12, 12, 12, 32000, max_seq_len, true);
  } else if (name == "1b") {  // TinyLlama 1.1B
    *config = make_config(2048, 5632, 22, 32, 4, 32000, max_seq_len, false);
  } else if (name == "7b") {  // Llama 2 7B
    *config = make_config(4096, 11008, 32, 32, 32, 32000, max_seq_len, false);
  } else if (name == "3m") {  // the embedded default models (ci/make-default-models.sh)
    *config = make_config(256, 688, 4, 8, 4, 1024, max_seq_len, true);
  } else if (name == "tiny") {  // a quick smoke run
    *config = make_config(256, 688, 4, 8, 2, 4096, max_seq_len, true);
  } else {
    return false;
  }
  return true;
}

int64_t parameter_count(const cllm_config& c) {
  const int64_t dim = c.dim, q = int64_t(c.n_heads) * c.head_dim, kv = int64_t(c.n_kv_heads) * c.head_dim;
  const int64_t layer = 2 * dim + 2 * dim * q + 2 * dim * kv + 3 * dim * int64_t(c.hidden_dim);
  return int64_t(c.vocab_size) * dim * (c.tied_embeddings ? 1 : 2) + dim + c.n_layers * layer;
}

}  // namespace cllm::bench
