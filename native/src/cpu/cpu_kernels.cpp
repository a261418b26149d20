// The reference entry points of cpu_kernels.hpp: thin wrappers over the active ISA's kernel table, plus
// the rotary table, which is computed with libm exactly as Hugging Face does and is not per ISA.
#include "cpu_kernels.hpp"

#include <cmath>
#include <cstring>
#include <vector>

#include "isa.hpp"

namespace cllm::cpu {

int64_t packed_size(int32_t rows, int32_t cols) { return int64_t((rows + kPanel - 1) / kPanel) * kPanel * cols; }

void pack_rows(float* packed, const float* w, int32_t rows, int32_t cols) {
  const int32_t panels = (rows + kPanel - 1) / kPanel;
  for (int32_t p = 0; p < panels; ++p) {
    float* panel = packed + int64_t(p) * cols * kPanel;
    for (int32_t lane = 0; lane < kPanel; ++lane) {
      const int32_t r = p * kPanel + lane;
      const float* row = r < rows ? w + int64_t(r) * cols : nullptr;
      for (int32_t c = 0; c < cols; ++c) panel[int64_t(c) * kPanel + lane] = row ? row[c] : 0.0f;
    }
  }
}

void unpack_row(float* row, const float* packed, int32_t r, int32_t cols) {
  const float* panel = packed + int64_t(r / kPanel) * cols * kPanel + r % kPanel;
  for (int32_t c = 0; c < cols; ++c) row[c] = panel[int64_t(c) * kPanel];
}

void matmul_rows_packed(float* out, const float* x, const float* w_packed, int32_t rows, int32_t in_features,
                        int32_t out_features, bool accumulate) {
  const MatmulSegment segment{w_packed, out_features, out, out_features, accumulate};
  active_kernels().matmul_packed(&segment, 1, x, in_features, rows, in_features);
}

void matmul_rows_swiglu_packed(float* out, const float* x, const float* gate_packed, const float* up_packed,
                               int32_t rows, int32_t in_features, int32_t hidden) {
  active_kernels().matmul_packed_swiglu(out, x, gate_packed, up_packed, rows, in_features, hidden);
}

// The reference entry points with row-major weights pack them first (a copy per call: these are for
// tests and other callers that hold plain matrices; the backend keeps its weights packed).
void matmul_rows(float* out, const float* x, const float* w, int32_t rows, int32_t in_features, int32_t out_features) {
  std::vector<float> packed(size_t(packed_size(out_features, in_features)));
  pack_rows(packed.data(), w, out_features, in_features);
  matmul_rows_packed(out, x, packed.data(), rows, in_features, out_features, false);
}

void matmul_rows_accumulate(float* out, const float* x, const float* w, int32_t rows, int32_t in_features,
                            int32_t out_features) {
  std::vector<float> packed(size_t(packed_size(out_features, in_features)));
  pack_rows(packed.data(), w, out_features, in_features);
  matmul_rows_packed(out, x, packed.data(), rows, in_features, out_features, true);
}

void matmul_rows_swiglu(float* out, const float* x, const float* w_gate, const float* w_up, int32_t rows,
                        int32_t in_features, int32_t hidden) {
  std::vector<float> gate(size_t(packed_size(hidden, in_features))), up(gate.size());
  pack_rows(gate.data(), w_gate, hidden, in_features);
  pack_rows(up.data(), w_up, hidden, in_features);
  matmul_rows_swiglu_packed(out, x, gate.data(), up.data(), rows, in_features, hidden);
}

void rmsnorm_rows(float* out, const float* x, const float* weight, int32_t rows, int32_t dim, float eps) {
  active_kernels().rmsnorm(out, x, weight, rows, dim, eps);
}

void rope_table(float* cos_sin, int32_t rows, int32_t head_dim, int32_t first_position, float theta) {
  const int32_t half = head_dim / 2;
  for (int32_t i = 0; i < half; ++i) {
    // Frequencies as Hugging Face computes them: theta^(-2i/head_dim), angle in float.
    const float inv_freq = float(1.0 / std::pow(double(theta), double(2 * i) / double(head_dim)));
    for (int32_t r = 0; r < rows; ++r) {
      const float angle = float(double(first_position + r)) * inv_freq;
      cos_sin[int64_t(r) * head_dim + i] = std::cos(angle);
      cos_sin[int64_t(r) * head_dim + half + i] = std::sin(angle);
    }
  }
}

void rope_rows_table(float* x, int32_t rows, int32_t n_heads, int32_t head_dim, const float* cos_sin) {
  active_kernels().rope(x, rows, n_heads, head_dim, cos_sin);
}

void rope_rows(float* x, int32_t rows, int32_t n_heads, int32_t head_dim, int32_t first_position, float theta) {
  std::vector<float> table(size_t(rows) * size_t(head_dim));
  rope_table(table.data(), rows, head_dim, first_position, theta);
  rope_rows_table(x, rows, n_heads, head_dim, table.data());
}

void swiglu_rows(float* gate, const float* up, int32_t rows, int32_t hidden) {
  active_kernels().swiglu(gate, up, rows, hidden);
}

int64_t k_head_stride(int32_t capacity, int32_t head_dim) {
  return int64_t((capacity + kPanel - 1) / kPanel) * kPanel * head_dim;
}

void store_keys(float* k_packed, int64_t head_stride, const float* k_rows, int32_t rows, int32_t n_kv_heads,
                int32_t head_dim, int32_t first_position) {
  const int64_t kv_dim = int64_t(n_kv_heads) * head_dim, panel_floats = int64_t(head_dim) * kPanel;
  for (int32_t r = 0; r < rows; ++r) {
    const int32_t position = first_position + r, lane = position % kPanel;
    for (int32_t h = 0; h < n_kv_heads; ++h) {
      float* panel = k_packed + h * head_stride + (position / kPanel) * panel_floats;
      if (lane == 0) std::memset(panel, 0, size_t(panel_floats) * sizeof(float));
      const float* key = k_rows + r * kv_dim + int64_t(h) * head_dim;
      for (int32_t d = 0; d < head_dim; ++d) panel[int64_t(d) * kPanel + lane] = key[d];
    }
  }
}

void attention_rows_packed(float* out, const float* q, const float* k_packed, int64_t head_stride, const float* v_cache,
                           int32_t rows, int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t first_position,
                           float* scores) {
  active_kernels().attention(out, q, k_packed, head_stride, v_cache, rows, n_heads, n_kv_heads, head_dim,
                             first_position, scores);
}

void attention_rows(float* out, const float* q, const float* k_cache, const float* v_cache, int32_t rows,
                    int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t first_position, float* scores) {
  const int32_t span = first_position + rows;
  const int64_t stride = k_head_stride(span, head_dim);
  std::vector<float> packed(size_t(stride * n_kv_heads));
  store_keys(packed.data(), stride, k_cache, span, n_kv_heads, head_dim, 0);
  attention_rows_packed(out, q, packed.data(), stride, v_cache, rows, n_heads, n_kv_heads, head_dim, first_position,
                        scores);
}

void argmax_rows(int32_t* out, const float* x, int32_t rows, int32_t cols) {
  active_kernels().argmax(out, x, rows, cols);
}

}  // namespace cllm::cpu
