// Shapes and names of the model's tensors, shared by every backend.
#include "backend.hpp"

namespace cllm {

bool tensor_is_per_layer(int32_t tensor) { return tensor >= CLLM_TENSOR_ATTN_NORM && tensor <= CLLM_TENSOR_W_DOWN; }

const char* tensor_name(int32_t tensor) {
  static const char* const names[CLLM_TENSOR_KIND_COUNT] = {
      "token_embedding", "attn_norm", "wq",   "wk",     "wv",         "wo",
      "ffn_norm",        "w_gate",    "w_up", "w_down", "final_norm", "output"};
  return tensor >= 0 && tensor < CLLM_TENSOR_KIND_COUNT ? names[tensor] : "unknown";
}

int64_t tensor_elements(const cllm_config& c, int32_t tensor) {
  const int64_t dim = c.dim, hidden = c.hidden_dim, q = int64_t(c.n_heads) * c.head_dim,
                kv = int64_t(c.n_kv_heads) * c.head_dim, vocab = c.vocab_size;
  switch (tensor) {
    case CLLM_TENSOR_TOKEN_EMBEDDING:
      return vocab * dim;
    case CLLM_TENSOR_ATTN_NORM:
      return dim;
    case CLLM_TENSOR_WQ:
      return q * dim;
    case CLLM_TENSOR_WK:
      return kv * dim;
    case CLLM_TENSOR_WV:
      return kv * dim;
    case CLLM_TENSOR_WO:
      return dim * q;
    case CLLM_TENSOR_FFN_NORM:
      return dim;
    case CLLM_TENSOR_W_GATE:
      return hidden * dim;
    case CLLM_TENSOR_W_UP:
      return hidden * dim;
    case CLLM_TENSOR_W_DOWN:
      return dim * hidden;
    case CLLM_TENSOR_FINAL_NORM:
      return dim;
    case CLLM_TENSOR_OUTPUT:
      return c.tied_embeddings ? 0 : vocab * dim;
    default:
      return -1;
  }
}

int64_t tensor_row_length(const cllm_config& c, int32_t tensor) {
  switch (tensor) {
    case CLLM_TENSOR_WO:
      return int64_t(c.n_heads) * c.head_dim;
    case CLLM_TENSOR_W_DOWN:
      return c.hidden_dim;
    default:
      return c.dim;  // the other matrices take the residual stream; the norm vectors are dim long
  }
}

}  // namespace cllm
