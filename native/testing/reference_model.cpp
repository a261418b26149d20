#include "reference_model.hpp"

#include <cmath>

#include "random_model.hpp"

namespace cllm::testing {

ReferenceModel::ReferenceModel(const cllm_config& config, uint64_t seed)
    : c_(config), layers_(size_t(config.n_layers)) {
  for_each_random_tensor(config, seed, [&](int32_t tensor, int32_t layer, const std::vector<float>& v) {
    switch (tensor) {
      case CLLM_TENSOR_TOKEN_EMBEDDING:
        embedding_ = v;
        break;
      case CLLM_TENSOR_FINAL_NORM:
        final_norm_ = v;
        break;
      case CLLM_TENSOR_OUTPUT:
        output_ = v;
        break;
      case CLLM_TENSOR_ATTN_NORM:
        layers_[layer].attn_norm = v;
        break;
      case CLLM_TENSOR_WQ:
        layers_[layer].wq = v;
        break;
      case CLLM_TENSOR_WK:
        layers_[layer].wk = v;
        break;
      case CLLM_TENSOR_WV:
        layers_[layer].wv = v;
        break;
      case CLLM_TENSOR_WO:
        layers_[layer].wo = v;
        break;
      case CLLM_TENSOR_FFN_NORM:
        layers_[layer].ffn_norm = v;
        break;
      case CLLM_TENSOR_W_GATE:
        layers_[layer].w_gate = v;
        break;
      case CLLM_TENSOR_W_UP:
        layers_[layer].w_up = v;
        break;
      case CLLM_TENSOR_W_DOWN:
        layers_[layer].w_down = v;
        break;
      default:
        break;
    }
  });
  k_cache_.assign(size_t(config.n_layers), {});
  v_cache_.assign(size_t(config.n_layers), {});
}

namespace {

std::vector<double> rmsnorm(const std::vector<double>& x, const std::vector<float>& w, double eps) {
  double ss = 0;
  for (double v : x) ss += v * v;
  const double scale = 1.0 / std::sqrt(ss / double(x.size()) + eps);
  std::vector<double> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * scale * w[i];
  return y;
}

// y[o] = sum_i w[o][i] x[i]
std::vector<double> matvec(const std::vector<float>& w, const std::vector<double>& x, size_t out) {
  std::vector<double> y(out, 0.0);
  for (size_t o = 0; o < out; ++o) {
    double s = 0;
    const float* row = &w[o * x.size()];
    for (size_t i = 0; i < x.size(); ++i) s += double(row[i]) * x[i];
    y[o] = s;
  }
  return y;
}

void rope(std::vector<double>& x, int32_t heads, int32_t head_dim, int32_t position, float theta) {
  const int32_t half = head_dim / 2;
  for (int32_t i = 0; i < half; ++i) {
    const float inv_freq = float(1.0 / std::pow(double(theta), double(2 * i) / double(head_dim)));
    const float angle = float(position) * inv_freq;
    const double c = std::cos(double(angle)), s = std::sin(double(angle));
    for (int32_t h = 0; h < heads; ++h) {
      double* head = &x[size_t(h) * head_dim];
      const double a = head[i], b = head[i + half];
      head[i] = a * c - b * s;
      head[i + half] = b * c + a * s;
    }
  }
}

}  // namespace

std::vector<double> ReferenceModel::forward_one(int32_t token, int32_t position) {
  const size_t dim = size_t(c_.dim), hd = size_t(c_.head_dim), kv_dim = size_t(c_.n_kv_heads) * hd,
               q_dim = size_t(c_.n_heads) * hd, group = size_t(c_.n_heads / c_.n_kv_heads);
  std::vector<double> x(dim);
  for (size_t i = 0; i < dim; ++i) x[i] = embedding_[size_t(token) * dim + i];
  for (int32_t l = 0; l < c_.n_layers; ++l) {
    const Layer& w = layers_[l];
    const std::vector<double> xb = rmsnorm(x, w.attn_norm, c_.norm_eps);
    std::vector<double> q = matvec(w.wq, xb, q_dim), k = matvec(w.wk, xb, kv_dim), v = matvec(w.wv, xb, kv_dim);
    rope(q, c_.n_heads, c_.head_dim, position, c_.rope_theta);
    rope(k, c_.n_kv_heads, c_.head_dim, position, c_.rope_theta);
    std::vector<double>& kc = k_cache_[l];
    std::vector<double>& vc = v_cache_[l];
    kc.resize(size_t(position + 1) * kv_dim);
    vc.resize(size_t(position + 1) * kv_dim);
    for (size_t i = 0; i < kv_dim; ++i) {
      kc[size_t(position) * kv_dim + i] = k[i];
      vc[size_t(position) * kv_dim + i] = v[i];
    }
    std::vector<double> attn(q_dim, 0.0), scores(size_t(position + 1));
    for (size_t h = 0; h < size_t(c_.n_heads); ++h) {
      const size_t kvh = h / group;
      double max_score = -INFINITY;
      for (int32_t t = 0; t <= position; ++t) {
        double s = 0;
        for (size_t i = 0; i < hd; ++i) s += q[h * hd + i] * kc[size_t(t) * kv_dim + kvh * hd + i];
        scores[t] = s / std::sqrt(double(hd));
        max_score = std::fmax(max_score, scores[t]);
      }
      double total = 0;
      for (int32_t t = 0; t <= position; ++t) total += (scores[t] = std::exp(scores[t] - max_score));
      for (int32_t t = 0; t <= position; ++t) {
        for (size_t i = 0; i < hd; ++i) attn[h * hd + i] += scores[t] / total * vc[size_t(t) * kv_dim + kvh * hd + i];
      }
    }
    const std::vector<double> o = matvec(w.wo, attn, dim);
    for (size_t i = 0; i < dim; ++i) x[i] += o[i];
    const std::vector<double> xf = rmsnorm(x, w.ffn_norm, c_.norm_eps);
    std::vector<double> g = matvec(w.w_gate, xf, size_t(c_.hidden_dim));
    const std::vector<double> u = matvec(w.w_up, xf, size_t(c_.hidden_dim));
    for (size_t j = 0; j < g.size(); ++j) g[j] = g[j] / (1.0 + std::exp(-g[j])) * u[j];
    const std::vector<double> d = matvec(w.w_down, g, dim);
    for (size_t i = 0; i < dim; ++i) x[i] += d[i];
  }
  return rmsnorm(x, final_norm_, c_.norm_eps);
}

std::vector<float> ReferenceModel::forward(const int32_t* tokens, int32_t n) {
  const std::vector<float>& head = c_.tied_embeddings ? embedding_ : output_;
  std::vector<float> logits(size_t(n) * size_t(c_.vocab_size));
  for (int32_t r = 0; r < n; ++r) {
    const std::vector<double> x = forward_one(tokens[r], length_ + r);
    const std::vector<double> row = matvec(head, x, size_t(c_.vocab_size));
    for (size_t j = 0; j < row.size(); ++j) logits[size_t(r) * c_.vocab_size + j] = float(row[j]);
  }
  length_ += n;
  return logits;
}

double max_relative_error(const float* a, const float* b, size_t n) {
  double max_abs = 0, max_diff = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) return INFINITY;
    max_abs = std::fmax(max_abs, std::fabs(double(b[i])));
    max_diff = std::fmax(max_diff, std::fabs(double(a[i]) - double(b[i])));
  }
  return max_diff / std::fmax(max_abs, 1e-30);
}

double max_relative_error(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  return max_relative_error(a.data(), b.data(), a.size());
}

}  // namespace cllm::testing
