#include "random_model.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "backend.hpp"
#include "cpu/weight_packing.hpp"
#include "half_floats.hpp"

namespace cllm::testing {

cllm_config make_config(int32_t dim, int32_t hidden_dim, int32_t n_layers, int32_t n_heads, int32_t n_kv_heads,
                        int32_t vocab_size, int32_t max_seq_len, bool tied) {
  cllm_config c{};
  c.dim = dim;
  c.hidden_dim = hidden_dim;
  c.n_layers = n_layers;
  c.n_heads = n_heads;
  c.n_kv_heads = n_kv_heads;
  c.head_dim = dim / n_heads;
  c.vocab_size = vocab_size;
  c.max_seq_len = max_seq_len;
  c.rope_theta = 10000.0f;
  c.norm_eps = 1e-5f;
  c.tied_embeddings = tied ? 1 : 0;
  return c;
}

void for_each_random_tensor(const cllm_config& config, uint64_t seed,
                            const std::function<void(int32_t, int32_t, const std::vector<float>&)>& fn) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values;
  auto emit = [&](int32_t tensor, int32_t layer, int64_t n, bool is_norm) {
    values.resize(size_t(n));
    for (auto& v : values) v = is_norm ? 1.0f + 0.1f * normal(rng) : 0.02f * normal(rng);
    if (tensor == CLLM_TENSOR_TOKEN_EMBEDDING) {
      for (auto& v : values) v *= 25.0f;  // embeddings of unit-ish scale, as trained models have
    }
    fn(tensor, layer, values);
  };
  const int64_t dim = config.dim, hidden = config.hidden_dim, q = int64_t(config.n_heads) * config.head_dim,
                kv = int64_t(config.n_kv_heads) * config.head_dim;
  emit(CLLM_TENSOR_TOKEN_EMBEDDING, -1, int64_t(config.vocab_size) * dim, false);
  for (int32_t l = 0; l < config.n_layers; ++l) {
    emit(CLLM_TENSOR_ATTN_NORM, l, dim, true);
    emit(CLLM_TENSOR_WQ, l, q * dim, false);
    emit(CLLM_TENSOR_WK, l, kv * dim, false);
    emit(CLLM_TENSOR_WV, l, kv * dim, false);
    emit(CLLM_TENSOR_WO, l, dim * q, false);
    emit(CLLM_TENSOR_FFN_NORM, l, dim, true);
    emit(CLLM_TENSOR_W_GATE, l, hidden * dim, false);
    emit(CLLM_TENSOR_W_UP, l, hidden * dim, false);
    emit(CLLM_TENSOR_W_DOWN, l, dim * hidden, false);
  }
  emit(CLLM_TENSOR_FINAL_NORM, -1, dim, true);
  if (!config.tied_embeddings) emit(CLLM_TENSOR_OUTPUT, -1, int64_t(config.vocab_size) * dim, false);
}

cllm_status make_random_model(const cllm_config& config, int32_t backend, int32_t device, uint64_t seed,
                              cllm_dtype dtype, cllm_model** out) {
  return make_random_model(config, backend, device, seed, dtype, CLLM_DTYPE_DEFAULT, out);
}

cllm_status make_random_model(const cllm_config& config, int32_t backend, int32_t device, uint64_t seed,
                              cllm_dtype dtype, int32_t weight_dtype, cllm_model** out) {
  *out = nullptr;
  cllm_model* model = nullptr;
  cllm_status status = cllm_model_create_with_weights(&config, backend, device, weight_dtype, &model);
  if (status != CLLM_OK) return status;
  std::vector<uint16_t> halves;
  std::vector<uint8_t> blocks;
  for_each_random_tensor(config, seed, [&](int32_t tensor, int32_t layer, const std::vector<float>& values) {
    if (status != CLLM_OK) return;
    const int64_t n = int64_t(values.size());
    const bool matrix =
        tensor != CLLM_TENSOR_ATTN_NORM && tensor != CLLM_TENSOR_FFN_NORM && tensor != CLLM_TENSOR_FINAL_NORM;
    if (dtype == CLLM_DTYPE_Q8_0 && matrix && cllm::tensor_row_length(config, tensor) % 32 == 0) {
      blocks.resize(size_t(n / 32 * cllm::cpu::kQ8BlockBytes));
      cllm::cpu::quantize_q8_0(blocks.data(), values.data(), n);
      status = cllm_model_upload(model, tensor, layer, dtype, blocks.data(), n);
    } else if (dtype == CLLM_DTYPE_BF16) {
      halves.resize(values.size());
      for (size_t i = 0; i < values.size(); ++i) halves[i] = cllm::float_to_bf16(values[i]);
      status = cllm_model_upload(model, tensor, layer, dtype, halves.data(), n);
    } else {
      status = cllm_model_upload(model, tensor, layer, CLLM_DTYPE_F32, values.data(), n);
    }
  });
  if (status != CLLM_OK) {
    cllm_model_free(model);
    return status;
  }
  *out = model;
  return CLLM_OK;
}

void check(cllm_status status, const char* what) {
  if (status != CLLM_OK) {
    std::fprintf(stderr, "FAIL: %s: status %d: %s\n", what, int(status), cllm_last_error());
    std::exit(1);
  }
}

}  // namespace cllm::testing
