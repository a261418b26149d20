#include "gpu_model.hpp"

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

#include "half_floats.hpp"

namespace cllm::bench {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// values[i] = center + scale * uniform(-sqrt(3), sqrt(3)) (std = scale), as bf16.
void fill(std::vector<uint16_t>& values, uint64_t seed, float center, float scale) {
  const size_t n = values.size();
  const unsigned threads = std::max(1u, std::min(16u, std::thread::hardware_concurrency()));
  const size_t per = (n + threads - 1) / threads;
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const size_t begin = t * per, end = std::min(n, begin + per);
      for (size_t i = begin; i < end; ++i) {
        const uint64_t h = splitmix64(seed ^ (uint64_t(i) * 0xd1b54a32d192ed03ull));
        const float u = float(h >> 40) * (1.0f / 16777216.0f);  // [0, 1)
        values[i] = cllm::float_to_bf16(center + scale * 1.7320508f * (2.0f * u - 1.0f));
      }
    });
  }
  for (auto& w : workers) w.join();
}

}  // namespace

int64_t forward_weight_bytes(const cllm_config& c) {
  const int64_t dim = c.dim, q = int64_t(c.n_heads) * c.head_dim, kv = int64_t(c.n_kv_heads) * c.head_dim;
  const int64_t layer = (q + 2 * kv) * dim + dim * q + 3 * int64_t(c.hidden_dim) * dim;
  return 2 * (c.n_layers * layer + int64_t(c.vocab_size) * dim);
}

cllm_status make_fast_random_model(const cllm_config& config, int32_t backend, int32_t device, uint64_t seed,
                                   cllm_model** out) {
  *out = nullptr;
  cllm_model* model = nullptr;
  cllm_status status = cllm_model_create(&config, backend, device, &model);
  if (status != CLLM_OK) return status;
  std::vector<uint16_t> values;
  uint64_t salt = seed * 1000003ull;
  auto upload = [&](int32_t tensor, int32_t layer, int64_t n, float center, float scale) {
    if (status != CLLM_OK) return;
    values.resize(size_t(n));
    fill(values, ++salt, center, scale);
    status = cllm_model_upload(model, tensor, layer, CLLM_DTYPE_BF16, values.data(), n);
  };
  const int64_t dim = config.dim, hidden = config.hidden_dim, q = int64_t(config.n_heads) * config.head_dim,
                kv = int64_t(config.n_kv_heads) * config.head_dim;
  upload(CLLM_TENSOR_TOKEN_EMBEDDING, -1, int64_t(config.vocab_size) * dim, 0.0f, 0.5f);
  for (int32_t l = 0; l < config.n_layers; ++l) {
    upload(CLLM_TENSOR_ATTN_NORM, l, dim, 1.0f, 0.1f);
    upload(CLLM_TENSOR_WQ, l, q * dim, 0.0f, 0.02f);
    upload(CLLM_TENSOR_WK, l, kv * dim, 0.0f, 0.02f);
    upload(CLLM_TENSOR_WV, l, kv * dim, 0.0f, 0.02f);
    upload(CLLM_TENSOR_WO, l, dim * q, 0.0f, 0.02f);
    upload(CLLM_TENSOR_FFN_NORM, l, dim, 1.0f, 0.1f);
    upload(CLLM_TENSOR_W_GATE, l, hidden * dim, 0.0f, 0.02f);
    upload(CLLM_TENSOR_W_UP, l, hidden * dim, 0.0f, 0.02f);
    upload(CLLM_TENSOR_W_DOWN, l, dim * hidden, 0.0f, 0.02f);
  }
  upload(CLLM_TENSOR_FINAL_NORM, -1, dim, 1.0f, 0.1f);
  if (!config.tied_embeddings) upload(CLLM_TENSOR_OUTPUT, -1, int64_t(config.vocab_size) * dim, 0.0f, 0.02f);
  if (status != CLLM_OK) {
    cllm_model_free(model);
    return status;
  }
  *out = model;
  return CLLM_OK;
}

}  // namespace cllm::bench
