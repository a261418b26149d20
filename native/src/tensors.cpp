// Shapes, names and element conversions of the model's tensors, shared by every backend.
#include <cmath>
#include <cstring>

#include "backend.hpp"

namespace cllm {

bool tensor_is_per_layer(int32_t tensor) {
  return tensor >= CLLM_TENSOR_ATTN_NORM && tensor <= CLLM_TENSOR_W_DOWN;
}

const char* tensor_name(int32_t tensor) {
  static const char* const names[CLLM_TENSOR_KIND_COUNT] = {
      "token_embedding", "attn_norm", "wq",     "wk",         "wv",    "wo",
      "ffn_norm",        "w_gate",    "w_up",   "w_down",     "final_norm", "output"};
  return tensor >= 0 && tensor < CLLM_TENSOR_KIND_COUNT ? names[tensor] : "unknown";
}

int64_t tensor_elements(const cllm_config& c, int32_t tensor) {
  const int64_t dim = c.dim, hidden = c.hidden_dim, q = int64_t(c.n_heads) * c.head_dim,
                kv = int64_t(c.n_kv_heads) * c.head_dim, vocab = c.vocab_size;
  switch (tensor) {
    case CLLM_TENSOR_TOKEN_EMBEDDING: return vocab * dim;
    case CLLM_TENSOR_ATTN_NORM: return dim;
    case CLLM_TENSOR_WQ: return q * dim;
    case CLLM_TENSOR_WK: return kv * dim;
    case CLLM_TENSOR_WV: return kv * dim;
    case CLLM_TENSOR_WO: return dim * q;
    case CLLM_TENSOR_FFN_NORM: return dim;
    case CLLM_TENSOR_W_GATE: return hidden * dim;
    case CLLM_TENSOR_W_UP: return hidden * dim;
    case CLLM_TENSOR_W_DOWN: return dim * hidden;
    case CLLM_TENSOR_FINAL_NORM: return dim;
    case CLLM_TENSOR_OUTPUT: return c.tied_embeddings ? 0 : vocab * dim;
    default: return -1;
  }
}

int64_t tensor_row_length(const cllm_config& c, int32_t tensor) {
  switch (tensor) {
    case CLLM_TENSOR_WO: return int64_t(c.n_heads) * c.head_dim;
    case CLLM_TENSOR_W_DOWN: return c.hidden_dim;
    default: return c.dim;  // the other matrices take the residual stream; the norm vectors are dim long
  }
}

float bf16_to_float(uint16_t bits) {
  uint32_t u = uint32_t(bits) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

float f16_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t u;
  if (exponent == 0x1f) {
    u = sign | 0x7f800000u | (mantissa << 13);  // inf or NaN
  } else if (exponent != 0) {
    u = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    u = sign;  // signed zero
  } else {
    // Subnormal half: normalise into a float exponent.
    exponent = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    u = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

uint16_t float_to_bf16(float value) {
  uint32_t u;
  std::memcpy(&u, &value, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40u);  // quiet NaN
  const uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);
  return uint16_t((u + rounding) >> 16);
}

uint16_t float_to_f16(float value) {
  uint32_t u;
  std::memcpy(&u, &value, sizeof u);
  const uint16_t sign = uint16_t((u >> 16) & 0x8000u);
  const uint32_t magnitude = u & 0x7fffffffu;
  if (magnitude > 0x7f800000u) return uint16_t(sign | 0x7e00u);  // quiet NaN
  if (magnitude >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // 65520 and up round to infinity
  if (magnitude < 0x38800000u) {
    // Below 2^-14: a subnormal half counts units of 2^-24; rint rounds to nearest even (1024 is the
    // smallest normal half, whose bits follow on seamlessly).
    float f;
    std::memcpy(&f, &magnitude, sizeof f);
    return uint16_t(sign | uint16_t(std::rint(f * 16777216.0f)));
  }
  uint32_t half = ((magnitude >> 23) - 112) << 10 | ((magnitude >> 13) & 0x3ffu);
  const uint32_t rest = magnitude & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // a carry moves into the exponent
  return uint16_t(sign | half);
}

}  // namespace cllm
