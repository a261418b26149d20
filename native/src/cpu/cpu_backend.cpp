// The CPU backend: matrices in one weight type per model (fp32, bf16 or Q8_0: weight_packing.hpp), norms,
// activations and the KV cache in fp32, a KV cache per session, the kernels split across the
// process-wide thread pool (thread_pool.hpp).
//
// The model holds only read-only state (weights, the kernel table chosen at creation); everything a
// forward writes (KV cache, activations, scores, logits) belongs to its session, so sessions of one model
// can run on different threads at once. A forward of n tokens is a sequence of small GEMMs, each one
// pass over its weights: Q, K and V in one call, the gate and up projections with SwiGLU in another,
// the output and down projections adding straight into the residual stream.
#include <algorithm>
#include <cstring>
#include <vector>

#include "../backend.hpp"
#include "../sampling.hpp"
#include "aligned.hpp"
#include "cpu_kernels.hpp"
#include "isa.hpp"
#include "thread_pool.hpp"
#include "weight_matmul.hpp"
#include "weight_packing.hpp"

namespace cllm {
namespace {

using cpu::AlignedArray;
using cpu::AlignedBytes;

// Rows per pass through the layers: a longer input (a prompt) goes through in slices of this many
// tokens, which bounds the scratch (scores grow with rows x context) at the cost of one weight pass per
// slice, cheap next to a long prompt's arithmetic. Each row's result does not depend on the slicing.
constexpr int32_t kMaxRows = 64;

struct LayerWeights {
  AlignedArray attn_norm, ffn_norm;
  AlignedBytes wq, wk, wv, wo, w_gate, w_up, w_down;  // packed in the model's weight type
};

class CpuModel;

class CpuSession final : public SessionBackend {
 public:
  CpuSession(const CpuModel& model, int32_t capacity);
  int32_t length() const override { return length_; }
  int32_t capacity() const override { return capacity_; }
  void forward(const int32_t* tokens, int32_t n, float* logits) override;
  void forward_rows(const int32_t* tokens, int32_t n, float* logits);
  void forward_argmax(const int32_t* tokens, int32_t n, int32_t* predictions) override;
  void truncate(int32_t length) override { length_ = length; }
  void set_sampling(const cllm_sampling* sampling) override { sampler_.set(sampling); }

  // The per-session parts of a batched forward (CpuBatch): rows at positions length()..length()+n-1.
  // Records the tokens of a forward about to run.
  void record(const int32_t* tokens, int32_t n) { sampler_.record(length_, tokens, n); }
  // One layer's attention: stores the rotated keys k and the values v ([n][kv_dim]) of the rows in the
  // cache, then attends with the rotated queries q ([n][q_dim]) into out ([n][q_dim]).
  void attend(int32_t layer, const float* q, const float* k, const float* v, int32_t n, float* out);
  void advance(int32_t n) { length_ += n; }
  // Each row's prediction from logits [n][vocab] of rows at positions first..first+n-1 (modified when
  // penalties apply).
  void predict(float* logits, int32_t n, int32_t first, int32_t* predictions);

 private:
  void ensure_scratch(int32_t n);
  const CpuModel& model_;
  const cpu::Kernels& kernels_;
  int32_t capacity_;
  int32_t length_ = 0;
  int32_t scratch_rows_ = 0;
  int64_t k_head_stride_;
  AlignedArray k_cache_;  // [layer][kv head] panel-packed [position, head_dim] (isa.hpp)
  AlignedArray v_cache_;  // [layer][position][kv_dim]
  AlignedArray x_, xb_, q_, k_, attn_, hidden_, scores_, rope_, logits_;
  AlignedBytes prepared_;  // activations as the weight type's kernels read them (weight_matmul.hpp)
  sampling::SessionSampler sampler_;
};

class CpuModel final : public ModelBackend {
 public:
  CpuModel(const cllm_config& model_config, cpu::WeightType type)
      : config(model_config),
        weight_type(type),
        kernels(cpu::select_kernels()),
        layers(size_t(model_config.n_layers)) {}
  cllm_backend_kind kind() const override { return CLLM_BACKEND_CPU; }

  // Norm vectors are stored as fp32; matrices panel-packed in the weight type (isa.hpp), the layout the
  // matmuls stream.
  void upload(int32_t tensor, int32_t layer, cllm_dtype dtype, const void* data, int64_t n) override {
    const int32_t cols = matrix_columns(tensor);
    if (cols == 0) {
      AlignedArray& target = vector_slot(tensor, layer);
      target.resize(size_t(n));
      cpu::convert_to_floats(target.data(), data, dtype, n);
      return;
    }
    AlignedBytes& target = matrix_slot(tensor, layer);
    const int32_t rows = int32_t(n / cols);
    target.resize(size_t(cpu::packed_weight_bytes(weight_type, rows, cols)));
    cpu::pack_weights(target.data(), weight_type, data, dtype, rows, cols);
  }

  // In-features of a matrix tensor (its row length), 0 for the norm vectors.
  int32_t matrix_columns(int32_t tensor) const {
    switch (tensor) {
      case CLLM_TENSOR_TOKEN_EMBEDDING:
      case CLLM_TENSOR_OUTPUT:
      case CLLM_TENSOR_WQ:
      case CLLM_TENSOR_WK:
      case CLLM_TENSOR_WV:
      case CLLM_TENSOR_W_GATE:
      case CLLM_TENSOR_W_UP:
        return config.dim;
      case CLLM_TENSOR_WO:
        return config.n_heads * config.head_dim;
      case CLLM_TENSOR_W_DOWN:
        return config.hidden_dim;
      default:
        return 0;
    }
  }

  int64_t weight_bytes() const override {
    int64_t total = int64_t(token_embedding.size() + output.size()) + int64_t(final_norm.size() * sizeof(float));
    for (const auto& l : layers) {
      total += int64_t(l.wq.size() + l.wk.size() + l.wv.size() + l.wo.size() + l.w_gate.size() + l.w_up.size() +
                       l.w_down.size()) +
               int64_t((l.attn_norm.size() + l.ffn_norm.size()) * sizeof(float));
    }
    return total;
  }

  std::unique_ptr<SessionBackend> new_session(int32_t capacity) override {
    return std::make_unique<CpuSession>(*this, capacity);
  }

  std::unique_ptr<BatchBackend> new_batch(int32_t max_rows) override;

  const void* output_head() const { return config.tied_embeddings ? token_embedding.data() : output.data(); }

  cllm_config config;
  cpu::WeightType weight_type;  // of every matrix, chosen at creation
  const cpu::Kernels& kernels;  // chosen once (CLLM_CPU_ISA or the best the CPU runs)
  AlignedBytes token_embedding, output;
  AlignedArray final_norm;
  std::vector<LayerWeights> layers;

 private:
  AlignedArray& vector_slot(int32_t tensor, int32_t layer) {
    switch (tensor) {
      case CLLM_TENSOR_FINAL_NORM:
        return final_norm;
      case CLLM_TENSOR_ATTN_NORM:
        return layers[layer].attn_norm;
      case CLLM_TENSOR_FFN_NORM:
        return layers[layer].ffn_norm;
      default:
        throw Error(CLLM_ERR_INVALID_ARGUMENT, "unknown vector tensor kind");
    }
  }
  AlignedBytes& matrix_slot(int32_t tensor, int32_t layer) {
    switch (tensor) {
      case CLLM_TENSOR_TOKEN_EMBEDDING:
        return token_embedding;
      case CLLM_TENSOR_OUTPUT:
        return output;
      case CLLM_TENSOR_WQ:
        return layers[layer].wq;
      case CLLM_TENSOR_WK:
        return layers[layer].wk;
      case CLLM_TENSOR_WV:
        return layers[layer].wv;
      case CLLM_TENSOR_WO:
        return layers[layer].wo;
      case CLLM_TENSOR_W_GATE:
        return layers[layer].w_gate;
      case CLLM_TENSOR_W_UP:
        return layers[layer].w_up;
      case CLLM_TENSOR_W_DOWN:
        return layers[layer].w_down;
      default:
        throw Error(CLLM_ERR_INVALID_ARGUMENT, "unknown matrix tensor kind");
    }
  }
};

CpuSession::CpuSession(const CpuModel& model, int32_t capacity)
    : model_(model),
      kernels_(model.kernels),
      capacity_(capacity),
      k_head_stride_(cpu::k_head_stride(capacity, model.config.head_dim)),
      sampler_(capacity, model.config.vocab_size) {
  const cllm_config& c = model.config;
  // Positions >= length are never used, so no initialisation (store_keys zeroes each key panel it
  // starts, so that the unused lanes the score kernel reads along are finite).
  k_cache_.resize(size_t(c.n_layers) * size_t(c.n_kv_heads) * size_t(k_head_stride_));
  v_cache_.resize(size_t(c.n_layers) * size_t(capacity) * size_t(c.n_kv_heads) * size_t(c.head_dim));
  ensure_scratch(std::min(capacity, kMaxRows));  // so forward never allocates
}

// Scratch for n <= kMaxRows rows; scores for n rows over the whole capacity, so a growing context never
// reallocates (the pages are only touched as the context grows).
void CpuSession::ensure_scratch(int32_t n) {
  if (n <= scratch_rows_) return;
  const cllm_config& c = model_.config;
  const size_t rows = size_t(n), q_dim = size_t(c.n_heads) * size_t(c.head_dim);
  x_.resize(rows * c.dim);
  xb_.resize(rows * c.dim);
  q_.resize(rows * q_dim);
  k_.resize(rows * size_t(c.n_kv_heads) * c.head_dim);
  attn_.resize(rows * q_dim);
  hidden_.resize(rows * c.hidden_dim);
  scores_.resize(rows * c.n_heads * size_t(capacity_));
  rope_.resize(rows * c.head_dim);
  logits_.resize(rows * c.vocab_size);
  int64_t prepared = 0;
  for (int32_t in : {c.dim, c.n_heads * c.head_dim, c.hidden_dim}) {
    prepared = std::max(prepared, cpu::matmul_scratch_bytes(model_.kernels, model_.weight_type, n, in));
  }
  prepared_.resize(size_t(prepared));
  scratch_rows_ = n;
}

void CpuSession::forward(const int32_t* tokens, int32_t n, float* logits) {
  for (int32_t done = 0; done < n; done += kMaxRows) {
    const int32_t rows = std::min(kMaxRows, n - done);
    forward_rows(tokens + done, rows, logits ? logits + size_t(done) * model_.config.vocab_size : nullptr);
  }
}

void CpuSession::forward_rows(const int32_t* tokens, int32_t n, float* logits) {
  const cpu::ForwardScope running;  // shares the cores with forwards of other sessions running now
  const cllm_config& c = model_.config;
  ensure_scratch(n);
  record(tokens, n);
  const int32_t kv_dim = c.n_kv_heads * c.head_dim, q_dim = c.n_heads * c.head_dim;
  const cpu::WeightType type = model_.weight_type;
  for (int32_t r = 0; r < n; ++r) {
    cpu::unpack_weight_row(&x_[size_t(r) * c.dim], model_.token_embedding.data(), type, tokens[r], c.dim);
  }
  cpu::rope_table(rope_.data(), n, c.head_dim, length_, c.rope_theta);  // shared by every layer
  const cpu::Kernels& k = kernels_;
  for (int32_t l = 0; l < c.n_layers; ++l) {
    const LayerWeights& w = model_.layers[l];
    float* k_layer = &k_cache_[size_t(l) * c.n_kv_heads * k_head_stride_];
    float* v_layer = &v_cache_[size_t(l) * capacity_ * kv_dim];
    float* v_new = v_layer + size_t(length_) * kv_dim;  // V goes straight into the cache
    k.rmsnorm(xb_.data(), x_.data(), w.attn_norm.data(), n, c.dim, c.norm_eps);
    const cpu::MatmulSegment qkv[3] = {{w.wq.data(), q_dim, q_.data(), q_dim, false},
                                       {w.wk.data(), kv_dim, k_.data(), kv_dim, false},
                                       {w.wv.data(), kv_dim, v_new, kv_dim, false}};
    cpu::matmul_weights(k, type, qkv, 3, xb_.data(), c.dim, n, c.dim, prepared_.data());
    k.rope(q_.data(), n, c.n_heads, c.head_dim, rope_.data());
    k.rope(k_.data(), n, c.n_kv_heads, c.head_dim, rope_.data());
    cpu::store_keys(k_layer, k_head_stride_, k_.data(), n, c.n_kv_heads, c.head_dim, length_);
    k.attention(attn_.data(), q_.data(), k_layer, k_head_stride_, v_layer, n, c.n_heads, c.n_kv_heads, c.head_dim,
                length_, scores_.data());
    const cpu::MatmulSegment out_proj{w.wo.data(), c.dim, x_.data(), c.dim, true};  // residual add
    cpu::matmul_weights(k, type, &out_proj, 1, attn_.data(), q_dim, n, q_dim, prepared_.data());
    k.rmsnorm(xb_.data(), x_.data(), w.ffn_norm.data(), n, c.dim, c.norm_eps);
    cpu::matmul_weights_swiglu(k, type, hidden_.data(), xb_.data(), w.w_gate.data(), w.w_up.data(), n, c.dim,
                               c.hidden_dim, prepared_.data());
    const cpu::MatmulSegment down{w.w_down.data(), c.dim, x_.data(), c.dim, true};  // residual add
    cpu::matmul_weights(k, type, &down, 1, hidden_.data(), c.hidden_dim, n, c.hidden_dim, prepared_.data());
  }
  length_ += n;
  if (logits) {
    k.rmsnorm(xb_.data(), x_.data(), model_.final_norm.data(), n, c.dim, c.norm_eps);
    const cpu::MatmulSegment head{model_.output_head(), c.vocab_size, logits, c.vocab_size, false};
    cpu::matmul_weights(k, type, &head, 1, xb_.data(), c.dim, n, c.dim, prepared_.data());
  }
}

void CpuSession::forward_argmax(const int32_t* tokens, int32_t n, int32_t* predictions) {
  for (int32_t done = 0; done < n; done += kMaxRows) {
    const int32_t rows = std::min(kMaxRows, n - done);
    const int32_t first = length_;
    forward_rows(tokens + done, rows, logits_.data());
    predict(logits_.data(), rows, first, predictions + done);
  }
}

void CpuSession::predict(float* logits, int32_t n, int32_t first, int32_t* predictions) {
  if (sampler_.plain_greedy()) {
    kernels_.argmax(predictions, logits, n, model_.config.vocab_size);
  } else {
    sampler_.predict(logits, n, first, predictions);
  }
}

void CpuSession::attend(int32_t layer, const float* q, const float* k, const float* v, int32_t n, float* out) {
  const cllm_config& c = model_.config;
  const int32_t kv_dim = c.n_kv_heads * c.head_dim;
  float* k_layer = &k_cache_[size_t(layer) * c.n_kv_heads * k_head_stride_];
  float* v_layer = &v_cache_[size_t(layer) * capacity_ * kv_dim];
  std::memcpy(v_layer + size_t(length_) * kv_dim, v, size_t(n) * kv_dim * sizeof(float));
  cpu::store_keys(k_layer, k_head_stride_, k, n, c.n_kv_heads, c.head_dim, length_);
  kernels_.attention(out, q, k_layer, k_head_stride_, v_layer, n, c.n_heads, c.n_kv_heads, c.head_dim, length_,
                     scores_.data());
}

// Scratch of a batched forward over the rows of several sessions: the same layer sequence as
// CpuSession::forward_rows, with the GEMMs, norms, RoPE and SwiGLU over all rows at once and the
// attention per session. Every kernel computes a row the same way whatever the rows around it, so each
// session's rows come out bit-identical to its own forward.
class CpuBatch final : public BatchBackend {
 public:
  CpuBatch(const CpuModel& model, int32_t max_rows);
  void forward_predict(SessionBackend* const* sessions, int32_t count, const int32_t* tokens, const int32_t* ns,
                       int32_t* predictions) override;

 private:
  const CpuModel& model_;
  AlignedArray x_, xb_, q_, k_, v_, attn_, hidden_, rope_, logits_;
  AlignedBytes prepared_;
};

CpuBatch::CpuBatch(const CpuModel& model, int32_t max_rows) : model_(model) {
  const cllm_config& c = model.config;
  const size_t rows = size_t(max_rows), q_dim = size_t(c.n_heads) * size_t(c.head_dim);
  const size_t kv_dim = size_t(c.n_kv_heads) * size_t(c.head_dim);
  x_.resize(rows * c.dim);
  xb_.resize(rows * c.dim);
  q_.resize(rows * q_dim);
  k_.resize(rows * kv_dim);
  v_.resize(rows * kv_dim);
  attn_.resize(rows * q_dim);
  hidden_.resize(rows * c.hidden_dim);
  rope_.resize(rows * c.head_dim);
  logits_.resize(rows * c.vocab_size);
  int64_t prepared = 0;
  for (int32_t in : {c.dim, c.n_heads * c.head_dim, c.hidden_dim}) {
    prepared = std::max(prepared, cpu::matmul_scratch_bytes(model.kernels, model.weight_type, max_rows, in));
  }
  prepared_.resize(size_t(prepared));
}

void CpuBatch::forward_predict(SessionBackend* const* sessions, int32_t count, const int32_t* tokens, const int32_t* ns,
                               int32_t* predictions) {
  const cpu::ForwardScope running;
  const cllm_config& c = model_.config;
  const cpu::Kernels& k = model_.kernels;
  const cpu::WeightType type = model_.weight_type;
  const int32_t kv_dim = c.n_kv_heads * c.head_dim, q_dim = c.n_heads * c.head_dim;
  std::vector<CpuSession*> members(static_cast<size_t>(count));
  std::vector<int32_t> offsets(static_cast<size_t>(count) + 1, 0), firsts(static_cast<size_t>(count));
  for (int32_t s = 0; s < count; ++s) {
    members[size_t(s)] = static_cast<CpuSession*>(sessions[s]);  // api.cpp checked: sessions of this model
    offsets[size_t(s) + 1] = offsets[size_t(s)] + ns[s];
    firsts[size_t(s)] = members[size_t(s)]->length();
  }
  const int32_t n = offsets[size_t(count)];
  for (int32_t r = 0; r < n; ++r) {
    cpu::unpack_weight_row(&x_[size_t(r) * c.dim], model_.token_embedding.data(), type, tokens[r], c.dim);
  }
  for (int32_t s = 0; s < count; ++s) {
    members[size_t(s)]->record(tokens + offsets[size_t(s)], ns[s]);
    cpu::rope_table(&rope_[size_t(offsets[size_t(s)]) * c.head_dim], ns[s], c.head_dim, firsts[size_t(s)],
                    c.rope_theta);
  }
  void* prepared = prepared_.data();
  for (int32_t l = 0; l < c.n_layers; ++l) {
    const LayerWeights& w = model_.layers[l];
    k.rmsnorm(xb_.data(), x_.data(), w.attn_norm.data(), n, c.dim, c.norm_eps);
    const cpu::MatmulSegment qkv[3] = {{w.wq.data(), q_dim, q_.data(), q_dim, false},
                                       {w.wk.data(), kv_dim, k_.data(), kv_dim, false},
                                       {w.wv.data(), kv_dim, v_.data(), kv_dim, false}};
    cpu::matmul_weights(k, type, qkv, 3, xb_.data(), c.dim, n, c.dim, prepared);
    k.rope(q_.data(), n, c.n_heads, c.head_dim, rope_.data());
    k.rope(k_.data(), n, c.n_kv_heads, c.head_dim, rope_.data());
    for (int32_t s = 0; s < count; ++s) {
      const size_t o = size_t(offsets[size_t(s)]);
      members[size_t(s)]->attend(l, &q_[o * q_dim], &k_[o * kv_dim], &v_[o * kv_dim], ns[s], &attn_[o * q_dim]);
    }
    const cpu::MatmulSegment out_proj{w.wo.data(), c.dim, x_.data(), c.dim, true};
    cpu::matmul_weights(k, type, &out_proj, 1, attn_.data(), q_dim, n, q_dim, prepared);
    k.rmsnorm(xb_.data(), x_.data(), w.ffn_norm.data(), n, c.dim, c.norm_eps);
    cpu::matmul_weights_swiglu(k, type, hidden_.data(), xb_.data(), w.w_gate.data(), w.w_up.data(), n, c.dim,
                               c.hidden_dim, prepared);
    const cpu::MatmulSegment down{w.w_down.data(), c.dim, x_.data(), c.dim, true};
    cpu::matmul_weights(k, type, &down, 1, hidden_.data(), c.hidden_dim, n, c.hidden_dim, prepared);
  }
  k.rmsnorm(xb_.data(), x_.data(), model_.final_norm.data(), n, c.dim, c.norm_eps);
  const cpu::MatmulSegment head{model_.output_head(), c.vocab_size, logits_.data(), c.vocab_size, false};
  cpu::matmul_weights(k, type, &head, 1, xb_.data(), c.dim, n, c.dim, prepared);
  for (int32_t s = 0; s < count; ++s) {
    const size_t o = size_t(offsets[size_t(s)]);
    members[size_t(s)]->advance(ns[s]);
    members[size_t(s)]->predict(&logits_[o * size_t(c.vocab_size)], ns[s], firsts[size_t(s)], predictions + o);
  }
}

std::unique_ptr<BatchBackend> CpuModel::new_batch(int32_t max_rows) {
  return std::make_unique<CpuBatch>(*this, max_rows);
}

}  // namespace

std::unique_ptr<ModelBackend> make_cpu_model(const cllm_config& config, cllm_dtype weight_dtype) {
  const cpu::WeightType type = weight_dtype == CLLM_DTYPE_BF16   ? cpu::WeightType::bf16
                               : weight_dtype == CLLM_DTYPE_Q8_0 ? cpu::WeightType::q8_0
                                                                 : cpu::WeightType::f32;
  return std::make_unique<CpuModel>(config, type);
}

}  // namespace cllm
