#include "cpu_kernels.hpp"

#include <cmath>

namespace cllm::cpu {

namespace {
float dot(const float* a, const float* b, int32_t n) {
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int32_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}
}  // namespace

void matmul_rows(float* out, const float* x, const float* w, int32_t rows, int32_t in_features,
                 int32_t out_features) {
#pragma omp parallel for schedule(static)
  for (int32_t o = 0; o < out_features; ++o) {
    const float* wo = w + int64_t(o) * in_features;
    for (int32_t r = 0; r < rows; ++r) out[int64_t(r) * out_features + o] = dot(x + int64_t(r) * in_features, wo, in_features);
  }
}

void matmul_rows_accumulate(float* out, const float* x, const float* w, int32_t rows, int32_t in_features,
                            int32_t out_features) {
#pragma omp parallel for schedule(static)
  for (int32_t o = 0; o < out_features; ++o) {
    const float* wo = w + int64_t(o) * in_features;
    for (int32_t r = 0; r < rows; ++r) out[int64_t(r) * out_features + o] += dot(x + int64_t(r) * in_features, wo, in_features);
  }
}

void rmsnorm_rows(float* out, const float* x, const float* weight, int32_t rows, int32_t dim, float eps) {
  for (int32_t r = 0; r < rows; ++r) {
    const float* xr = x + int64_t(r) * dim;
    float* yr = out + int64_t(r) * dim;
    const float scale = 1.0f / std::sqrt(dot(xr, xr, dim) / float(dim) + eps);
    for (int32_t i = 0; i < dim; ++i) yr[i] = xr[i] * scale * weight[i];
  }
}

void rope_rows(float* x, int32_t rows, int32_t n_heads, int32_t head_dim, int32_t first_position, float theta) {
  const int32_t half = head_dim / 2;
  for (int32_t r = 0; r < rows; ++r) {
    const double position = double(first_position + r);
    for (int32_t i = 0; i < half; ++i) {
      // Frequencies as Hugging Face computes them: theta^(-2i/head_dim), angle in float.
      const float inv_freq = float(1.0 / std::pow(double(theta), double(2 * i) / double(head_dim)));
      const float angle = float(position) * inv_freq;
      const float c = std::cos(angle), s = std::sin(angle);
      for (int32_t h = 0; h < n_heads; ++h) {
        float* head = x + (int64_t(r) * n_heads + h) * head_dim;
        const float a = head[i], b = head[i + half];
        head[i] = a * c - b * s;
        head[i + half] = b * c + a * s;
      }
    }
  }
}

void swiglu_rows(float* gate, const float* up, int32_t rows, int32_t hidden) {
  const int64_t n = int64_t(rows) * hidden;
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    gate[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

void attention_rows(float* out, const float* q, const float* k_cache, const float* v_cache, int32_t rows,
                    int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t first_position,
                    float* scores) {
  const int32_t group = n_heads / n_kv_heads;
  const int32_t kv_dim = n_kv_heads * head_dim;
  const int32_t span = first_position + rows;
  const float scale = 1.0f / std::sqrt(float(head_dim));
#pragma omp parallel for collapse(2) schedule(static)
  for (int32_t r = 0; r < rows; ++r) {
    for (int32_t h = 0; h < n_heads; ++h) {
      const float* qh = q + (int64_t(r) * n_heads + h) * head_dim;
      const int32_t kvh = h / group;
      const int32_t visible = first_position + r + 1;
      float* s = scores + (int64_t(r) * n_heads + h) * span;
      float max_score = -INFINITY;
      for (int32_t t = 0; t < visible; ++t) {
        s[t] = dot(qh, k_cache + int64_t(t) * kv_dim + kvh * head_dim, head_dim) * scale;
        max_score = std::fmax(max_score, s[t]);
      }
      float total = 0.0f;
      for (int32_t t = 0; t < visible; ++t) {
        s[t] = std::exp(s[t] - max_score);
        total += s[t];
      }
      float* oh = out + (int64_t(r) * n_heads + h) * head_dim;
      for (int32_t i = 0; i < head_dim; ++i) oh[i] = 0.0f;
      for (int32_t t = 0; t < visible; ++t) {
        const float p = s[t] / total;
        const float* vt = v_cache + int64_t(t) * kv_dim + kvh * head_dim;
        for (int32_t i = 0; i < head_dim; ++i) oh[i] += p * vt[i];
      }
    }
  }
}

void argmax_rows(int32_t* out, const float* x, int32_t rows, int32_t cols) {
  for (int32_t r = 0; r < rows; ++r) {
    const float* row = x + int64_t(r) * cols;
    int32_t best = 0;
    for (int32_t c = 1; c < cols; ++c) {
      if (row[c] > row[best]) best = c;
    }
    out[r] = best;
  }
}

}  // namespace cllm::cpu
