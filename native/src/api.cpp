// The C ABI (cllm.h): argument validation, error capture and dispatch to a backend. Every entry point
// runs its body inside guard(), so no exception crosses the ABI and every failure leaves a message.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "backend.hpp"
#include "cpu/cpu_kernels.hpp"
#include "cpu/thread_pool.hpp"
#include "cpu/weight_packing.hpp"
#include "plugin_loader.hpp"
#include "sampling.hpp"

struct cllm_model {
  cllm_config config;
  cllm_dtype weight_dtype;  // what the backend stores matrices in
  std::unique_ptr<cllm::ModelBackend> backend;
  std::vector<uint8_t> uploaded;  // one flag per (tensor, layer) slot
};

struct cllm_session {
  const cllm_model* model;
  std::unique_ptr<cllm::SessionBackend> backend;
};

struct cllm_batch {
  const cllm_model* model;
  int32_t max_rows;
  std::unique_ptr<cllm::BatchBackend> backend;
};

namespace {

// Rows one session may bring to a batched step (a Jacobi window; the backends' widest single pass).
constexpr int32_t kBatchSessionRows = 64;

thread_local std::string last_error;

template <typename Body>
cllm_status guard(Body&& body) {
  try {
    last_error.clear();
    body();
    return CLLM_OK;
  } catch (const cllm::Error& e) {
    last_error = e.what();
    return e.status();
  } catch (const std::bad_alloc&) {
    last_error = "out of host memory";
    return CLLM_ERR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    last_error = std::string("internal error: ") + e.what();
    return CLLM_ERR_INTERNAL;
  } catch (...) {
    last_error = "internal error: unknown exception";
    return CLLM_ERR_INTERNAL;
  }
}

[[noreturn]] void fail(cllm_status status, const std::string& message) { throw cllm::Error(status, message); }

void require(bool condition, const std::string& message) {
  if (!condition) fail(CLLM_ERR_INVALID_ARGUMENT, message);
}

template <typename T>
void require_pointer(const T* pointer, const char* name) {
  require(pointer != nullptr, std::string(name) + " is NULL");
}

void validate_config(const cllm_config& c) {
  auto positive = [](int32_t value, const char* name) {
    require(value > 0, std::string("config.") + name + " must be positive, got " + std::to_string(value));
  };
  positive(c.dim, "dim");
  positive(c.hidden_dim, "hidden_dim");
  positive(c.n_layers, "n_layers");
  positive(c.n_heads, "n_heads");
  positive(c.n_kv_heads, "n_kv_heads");
  positive(c.head_dim, "head_dim");
  positive(c.vocab_size, "vocab_size");
  positive(c.max_seq_len, "max_seq_len");
  require(c.n_heads % c.n_kv_heads == 0, "config.n_heads (" + std::to_string(c.n_heads) +
                                             ") must be a multiple of config.n_kv_heads (" +
                                             std::to_string(c.n_kv_heads) + ")");
  require(c.head_dim % 2 == 0, "config.head_dim must be even for rotary embeddings, got " + std::to_string(c.head_dim));
  require(std::isfinite(c.rope_theta) && c.rope_theta > 0, "config.rope_theta must be a positive number");
  require(std::isfinite(c.norm_eps) && c.norm_eps >= 0, "config.norm_eps must be a non-negative number");
  require(c.tied_embeddings == 0 || c.tied_embeddings == 1, "config.tied_embeddings must be 0 or 1");
  // Keep every product of sizes far from int64 overflow and from absurd allocations.
  const int64_t limit = int64_t(1) << 36;
  require(int64_t(c.vocab_size) * c.dim < limit && int64_t(c.hidden_dim) * c.dim < limit &&
              int64_t(c.n_heads) * c.head_dim * c.dim < limit && int64_t(c.max_seq_len) * c.dim < limit,
          "config sizes are too large");
}

int32_t slot_of(const cllm_config& c, int32_t tensor, int32_t layer) {
  // Global tensors first, then n_layers slots per per-layer kind.
  if (!cllm::tensor_is_per_layer(tensor))
    return tensor == CLLM_TENSOR_TOKEN_EMBEDDING ? 0 : tensor == CLLM_TENSOR_FINAL_NORM ? 1 : 2;
  return 3 + (tensor - CLLM_TENSOR_ATTN_NORM) * c.n_layers + layer;
}

int32_t slot_count(const cllm_config& c) { return 3 + (CLLM_TENSOR_W_DOWN - CLLM_TENSOR_ATTN_NORM + 1) * c.n_layers; }

const cllm_model& checked(const cllm_model* model) {
  require(model != nullptr, "model is NULL");
  return *model;
}

cllm_session& checked(cllm_session* session) {
  require(session != nullptr, "session is NULL");
  return *session;
}

void validate_tokens(const cllm_config& c, const int32_t* tokens, int32_t n, const char* name) {
  require_pointer(tokens, name);
  for (int32_t i = 0; i < n; ++i) {
    require(tokens[i] >= 0 && tokens[i] < c.vocab_size,
            std::string(name) + "[" + std::to_string(i) + "] = " + std::to_string(tokens[i]) +
                " is outside the vocabulary [0, " + std::to_string(c.vocab_size) + ")");
  }
}

bool is_upload_dtype(int32_t dtype) { return dtype >= CLLM_DTYPE_F32 && dtype <= CLLM_DTYPE_Q8_0; }

const char* dtype_name(int32_t dtype) {
  switch (dtype) {
    case CLLM_DTYPE_F32:
      return "f32";
    case CLLM_DTYPE_F16:
      return "f16";
    case CLLM_DTYPE_BF16:
      return "bf16";
    case CLLM_DTYPE_Q8_0:
      return "q8_0";
    default:
      return "default";
  }
}

int64_t dtype_bytes(int32_t dtype, int64_t n) {
  switch (dtype) {
    case CLLM_DTYPE_F32:
      return n * 4;
    case CLLM_DTYPE_Q8_0:
      return n / cllm::cpu::kQ8Block * cllm::cpu::kQ8BlockBytes;
    default:
      return n * 2;
  }
}

// The weight type a backend stores a model in, for a requested one (CLLM_DTYPE_DEFAULT: the backend's).
cllm_dtype resolve_weight_dtype(int32_t backend, int32_t requested) {
  require(requested == CLLM_DTYPE_DEFAULT || is_upload_dtype(requested),
          "weight_dtype must be CLLM_DTYPE_DEFAULT (-1) or a cllm_dtype 0..3, got " + std::to_string(requested));
  if (backend == CLLM_BACKEND_CUDA) {
    if (requested != CLLM_DTYPE_DEFAULT && requested != CLLM_DTYPE_BF16) {
      fail(CLLM_ERR_UNSUPPORTED,
           std::string("the CUDA backend stores weights as bf16 only, not ") + dtype_name(requested));
    }
    return CLLM_DTYPE_BF16;
  }
  if (requested == CLLM_DTYPE_F16) {
    fail(CLLM_ERR_UNSUPPORTED,
         "the CPU backend stores weights as f32, bf16 or q8_0, not f16 (f16 uploads convert to any of them)");
  }
  return requested == CLLM_DTYPE_DEFAULT ? CLLM_DTYPE_F32 : cllm_dtype(requested);
}

constexpr int32_t kMaxRunWindow = 1 << 20;

void require_room(const cllm_session& s, int32_t n) {
  const int32_t length = s.backend->length(), capacity = s.backend->capacity();
  if (int64_t(length) + n > capacity) {
    fail(CLLM_ERR_CONTEXT_FULL, "context full: " + std::to_string(n) + " positions requested at length " +
                                    std::to_string(length) + " of capacity " + std::to_string(capacity));
  }
}

}  // namespace

extern "C" {

const char* cllm_last_error(void) { return last_error.c_str(); }

int32_t cllm_abi_version(void) { return CLLM_ABI_VERSION; }

cllm_status cllm_dtype_size(int32_t dtype, int64_t n_elements, int64_t* out_bytes) {
  return guard([&] {
    require_pointer(out_bytes, "out_bytes");
    require(is_upload_dtype(dtype), "unknown dtype " + std::to_string(dtype));
    require(n_elements >= 0 && n_elements < (int64_t(1) << 60),
            "n_elements must be in [0, 2^60), got " + std::to_string(n_elements));
    require(
        dtype != CLLM_DTYPE_Q8_0 || n_elements % cllm::cpu::kQ8Block == 0,
        "q8_0 holds whole blocks of 32 values; n_elements " + std::to_string(n_elements) + " is not a multiple of 32");
    *out_bytes = dtype_bytes(dtype, n_elements);
  });
}

cllm_status cllm_backend_available(int32_t backend) {
  return guard([&] {
    if (backend == CLLM_BACKEND_CPU) return;
    require(backend == CLLM_BACKEND_CUDA,
            "backend must be CLLM_BACKEND_CPU or CLLM_BACKEND_CUDA, got " + std::to_string(backend));
    const int32_t count = cllm::cuda_plugin().device_count();
    if (count <= 0) fail(CLLM_ERR_UNSUPPORTED, "no CUDA device is available");
  });
}

cllm_status cllm_cuda_plugin_load(const char* path) {
  return guard([&] {
    require_pointer(path, "path");
    cllm::cuda_plugin_load(path);
  });
}

cllm_status cllm_cuda_device_count(int32_t* count) {
  return guard([&] {
    require_pointer(count, "count");
    *count = cllm::cuda_plugin().device_count();
  });
}

cllm_status cllm_cuda_device_info(int32_t device, char* name, int32_t name_len, int64_t* total_memory,
                                  int32_t* cc_major, int32_t* cc_minor) {
  return guard([&] {
    require(device >= 0, "device must be a CUDA ordinal >= 0, got " + std::to_string(device));
    require(name == nullptr || name_len >= 1,
            "name_len must be at least 1 when name is set, got " + std::to_string(name_len));
    const int32_t count = cllm::cuda_plugin().device_count();
    if (count <= 0) fail(CLLM_ERR_UNSUPPORTED, "no CUDA device is available");
    require(device < count,
            "device " + std::to_string(device) + " is outside [0, " + std::to_string(count) + ") CUDA devices");
    cllm::cuda_plugin().device_info(device, name, name_len, total_memory, cc_major, cc_minor);
  });
}

cllm_status cllm_set_num_threads(int32_t n) {
  return guard([&] {
    require(n >= 0 && n <= cllm::cpu::kMaxThreads, "n must be in [0, " + std::to_string(cllm::cpu::kMaxThreads) +
                                                       "] (0: the default), got " + std::to_string(n));
    cllm::cpu::set_num_threads(n);
  });
}

int32_t cllm_get_num_threads(void) { return cllm::cpu::num_threads(); }

cllm_status cllm_model_create(const cllm_config* config, int32_t backend, int32_t device, cllm_model** out_model) {
  return cllm_model_create_with_weights(config, backend, device, CLLM_DTYPE_DEFAULT, out_model);
}

cllm_status cllm_model_create_with_weights(const cllm_config* config, int32_t backend, int32_t device,
                                           int32_t weight_dtype, cllm_model** out_model) {
  return guard([&] {
    require_pointer(config, "config");
    require_pointer(out_model, "out_model");
    *out_model = nullptr;
    validate_config(*config);
    auto model = std::make_unique<cllm_model>();
    model->config = *config;
    if (backend == CLLM_BACKEND_CPU || backend == CLLM_BACKEND_CUDA) {
      model->weight_dtype = resolve_weight_dtype(backend, weight_dtype);
    }
    if (backend == CLLM_BACKEND_CPU) {
      model->backend = cllm::make_cpu_model(*config, model->weight_dtype);
    } else if (backend == CLLM_BACKEND_CUDA) {
      require(device >= 0, "device must be a CUDA ordinal >= 0, got " + std::to_string(device));
      model->backend = cllm::cuda_plugin().make_model(*config, device);
    } else {
      fail(CLLM_ERR_INVALID_ARGUMENT,
           "backend must be CLLM_BACKEND_CPU or CLLM_BACKEND_CUDA, got " + std::to_string(backend));
    }
    model->uploaded.assign(slot_count(*config), 0);
    if (config->tied_embeddings) model->uploaded[2] = 1;  // the output head is the embedding
    *out_model = model.release();
  });
}

cllm_status cllm_model_upload(cllm_model* model, int32_t tensor, int32_t layer, int32_t dtype, const void* data,
                              int64_t n_elements) {
  return guard([&] {
    require(model != nullptr, "model is NULL");
    const cllm_config& c = model->config;
    require(tensor >= 0 && tensor < CLLM_TENSOR_KIND_COUNT, "unknown tensor kind " + std::to_string(tensor));
    const std::string name = cllm::tensor_name(tensor);
    if (cllm::tensor_is_per_layer(tensor)) {
      require(layer >= 0 && layer < c.n_layers, "layer " + std::to_string(layer) + " of tensor " + name +
                                                    " is outside [0, " + std::to_string(c.n_layers) + ")");
    } else {
      require(layer == -1, "tensor " + name + " is not per layer; layer must be -1, got " + std::to_string(layer));
    }
    require(tensor != CLLM_TENSOR_OUTPUT || !c.tied_embeddings,
            "tensor output must not be uploaded: the config ties it to token_embedding");
    require(is_upload_dtype(dtype), "unsupported dtype " + std::to_string(dtype) + " for tensor " + name);
    require_pointer(data, "data");
    const int64_t expected = cllm::tensor_elements(c, tensor);
    require(n_elements == expected, "tensor " + name + (layer >= 0 ? " of layer " + std::to_string(layer) : "") +
                                        " has " + std::to_string(n_elements) + " elements, the config needs " +
                                        std::to_string(expected));
    if (dtype == CLLM_DTYPE_Q8_0) {
      const int64_t row = cllm::tensor_row_length(c, tensor);
      require(row % cllm::cpu::kQ8Block == 0, "tensor " + name + " cannot be q8_0: its rows are " +
                                                  std::to_string(row) +
                                                  " values long, not a multiple of 32 (upload it as f32, f16 or bf16)");
      if (model->backend->kind() != CLLM_BACKEND_CPU) {  // other backends take the values as fp32
        std::vector<float> values(static_cast<size_t>(n_elements));
        cllm::cpu::dequantize_q8_0(values.data(), static_cast<const uint8_t*>(data), n_elements);
        model->backend->upload(tensor, layer, CLLM_DTYPE_F32, values.data(), n_elements);
        model->uploaded[slot_of(c, tensor, layer)] = 1;
        return;
      }
    }
    model->backend->upload(tensor, layer, cllm_dtype(dtype), data, n_elements);
    model->uploaded[slot_of(c, tensor, layer)] = 1;
  });
}

cllm_status cllm_model_check_complete(const cllm_model* model) {
  return guard([&] {
    const cllm_model& m = checked(model);
    for (int32_t tensor = 0; tensor < CLLM_TENSOR_KIND_COUNT; ++tensor) {
      const int32_t layers = cllm::tensor_is_per_layer(tensor) ? m.config.n_layers : 1;
      for (int32_t layer = 0; layer < layers; ++layer) {
        const int32_t l = cllm::tensor_is_per_layer(tensor) ? layer : -1;
        if (!m.uploaded[slot_of(m.config, tensor, l)]) {
          fail(CLLM_ERR_STATE, std::string("tensor ") + cllm::tensor_name(tensor) +
                                   (l >= 0 ? " of layer " + std::to_string(l) : std::string()) + " was never uploaded");
        }
      }
    }
  });
}

cllm_status cllm_model_backend(const cllm_model* model, int32_t* out_backend) {
  return guard([&] {
    require_pointer(out_backend, "out_backend");
    *out_backend = checked(model).backend->kind();
  });
}

cllm_status cllm_model_weight_dtype(const cllm_model* model, int32_t* out_dtype) {
  return guard([&] {
    require_pointer(out_dtype, "out_dtype");
    *out_dtype = checked(model).weight_dtype;
  });
}

cllm_status cllm_model_weight_bytes(const cllm_model* model, int64_t* out_bytes) {
  return guard([&] {
    require_pointer(out_bytes, "out_bytes");
    *out_bytes = checked(model).backend->weight_bytes();
  });
}

void cllm_model_free(cllm_model* model) { delete model; }

cllm_status cllm_session_create(cllm_model* model, int32_t capacity, cllm_session** out_session) {
  return guard([&] {
    require_pointer(out_session, "out_session");
    *out_session = nullptr;
    const cllm_model& m = checked(model);
    require(capacity >= 1 && capacity <= m.config.max_seq_len,
            "capacity " + std::to_string(capacity) +
                " is outside [1, max_seq_len = " + std::to_string(m.config.max_seq_len) + "]");
    if (cllm_model_check_complete(model) != CLLM_OK) fail(CLLM_ERR_STATE, "incomplete model: " + last_error);
    auto session = std::make_unique<cllm_session>();
    session->model = model;
    session->backend = model->backend->new_session(capacity);
    *out_session = session.release();
  });
}

void cllm_session_free(cllm_session* session) { delete session; }

cllm_status cllm_session_length(const cllm_session* session, int32_t* out_length) {
  return guard([&] {
    require(session != nullptr, "session is NULL");
    require_pointer(out_length, "out_length");
    *out_length = session->backend->length();
  });
}

cllm_status cllm_session_capacity(const cllm_session* session, int32_t* out_capacity) {
  return guard([&] {
    require(session != nullptr, "session is NULL");
    require_pointer(out_capacity, "out_capacity");
    *out_capacity = session->backend->capacity();
  });
}

cllm_status cllm_session_forward(cllm_session* session, const int32_t* tokens, int32_t n, float* logits) {
  return guard([&] {
    cllm_session& s = checked(session);
    require(n >= 1, "n must be at least 1, got " + std::to_string(n));
    validate_tokens(s.model->config, tokens, n, "tokens");
    require_room(s, n);
    s.backend->forward(tokens, n, logits);
  });
}

cllm_status cllm_session_truncate(cllm_session* session, int32_t length) {
  return guard([&] {
    cllm_session& s = checked(session);
    const int32_t current = s.backend->length();
    require(length >= 0 && length <= current,
            "length " + std::to_string(length) + " is outside [0, current length " + std::to_string(current) + "]");
    s.backend->truncate(length);
  });
}

cllm_status cllm_session_set_cuda_stream(cllm_session* session, void* stream) {
  return guard([&] { checked(session).backend->set_cuda_stream(stream); });
}

cllm_status cllm_argmax_rows(const float* logits, int32_t rows, int32_t cols, int32_t* out_indices) {
  return guard([&] {
    require_pointer(logits, "logits");
    require_pointer(out_indices, "out_indices");
    require(rows >= 1 && cols >= 1, "rows and cols must be at least 1");
    cllm::cpu::argmax_rows(out_indices, logits, rows, cols);  // ties keep the lowest index
  });
}

cllm_status cllm_session_set_sampling(cllm_session* session, const cllm_sampling* sampling) {
  return guard([&] {
    cllm_session& s = checked(session);
    if (sampling) cllm::sampling::validate(*sampling);
    s.backend->set_sampling(sampling);
  });
}

cllm_status cllm_sample_row(const float* logits, int32_t vocab, const cllm_sampling* sampling, int64_t position,
                            const int32_t* history, int32_t history_length, int32_t* out_token) {
  return guard([&] {
    require_pointer(logits, "logits");
    require_pointer(sampling, "sampling");
    require_pointer(out_token, "out_token");
    require(vocab >= 1, "vocab must be at least 1, got " + std::to_string(vocab));
    require(position >= 1, "position must be at least 1 (the first predicted token), got " + std::to_string(position));
    cllm::sampling::validate(*sampling);
    cllm::sampling::TokenCounts counts;
    std::vector<float> row(logits, logits + vocab);
    if (cllm::sampling::has_penalties(*sampling)) {
      const int64_t expected = std::max<int64_t>(0, position - sampling->penalty_from);
      require(history_length == expected,
              "history_length must be max(0, position - penalty_from) = " + std::to_string(expected) +
                  " when penalties apply, got " + std::to_string(history_length));
      require(history_length == 0 || history != nullptr, "history is NULL");
      counts.resize(vocab);
      for (int32_t i = 0; i < history_length; ++i) {
        require(history[i] >= 0 && history[i] < vocab,
                "history[" + std::to_string(i) + "] = " + std::to_string(history[i]) + " is outside the vocabulary");
        counts.add(history[i]);
      }
      cllm::sampling::apply_penalties(row.data(), counts, *sampling);
    }
    cllm::sampling::Scratch scratch;
    *out_token = cllm::sampling::draw(row.data(), vocab, *sampling, position, scratch);
  });
}

cllm_status cllm_batch_create(cllm_model* model, int32_t max_rows, cllm_batch** out_batch) {
  return guard([&] {
    require_pointer(out_batch, "out_batch");
    *out_batch = nullptr;
    const cllm_model& m = checked(model);
    require(max_rows >= 1 && max_rows <= (1 << 16), "max_rows must be in [1, 65536], got " + std::to_string(max_rows));
    if (cllm_model_check_complete(model) != CLLM_OK) fail(CLLM_ERR_STATE, "incomplete model: " + last_error);
    auto batch = std::make_unique<cllm_batch>();
    batch->model = model;
    batch->max_rows = max_rows;
    batch->backend = m.backend->new_batch(max_rows);
    *out_batch = batch.release();
  });
}

void cllm_batch_free(cllm_batch* batch) { delete batch; }

cllm_status cllm_batch_jacobi_step(cllm_batch* batch, cllm_session* const* sessions, int32_t count,
                                   const int32_t* windows, const int32_t* ns, int32_t* predictions, int32_t* accepted) {
  return guard([&] {
    require(batch != nullptr, "batch is NULL");
    require_pointer(sessions, "sessions");
    require_pointer(ns, "ns");
    require_pointer(windows, "windows");
    require_pointer(predictions, "predictions");
    require_pointer(accepted, "accepted");
    require(count >= 1, "count must be at least 1, got " + std::to_string(count));
    const cllm_config& c = batch->model->config;
    std::vector<cllm::SessionBackend*> backends(static_cast<size_t>(count));
    int64_t rows = 0;
    for (int32_t i = 0; i < count; ++i) {
      const std::string name = "sessions[" + std::to_string(i) + "]";
      require(sessions[i] != nullptr, name + " is NULL");
      require(sessions[i]->model == batch->model, name + " belongs to another model than the batch");
      for (int32_t j = 0; j < i; ++j) require(sessions[j] != sessions[i], name + " appears twice");
      require(ns[i] >= 1 && ns[i] <= kBatchSessionRows, "ns[" + std::to_string(i) + "] must be in [1, " +
                                                            std::to_string(kBatchSessionRows) + "], got " +
                                                            std::to_string(ns[i]));
      rows += ns[i];
      backends[size_t(i)] = sessions[i]->backend.get();
    }
    require(rows <= batch->max_rows,
            "the sessions bring " + std::to_string(rows) + " rows, the batch holds " + std::to_string(batch->max_rows));
    validate_tokens(c, windows, int32_t(rows), "windows");
    for (int32_t i = 0; i < count; ++i) require_room(*sessions[i], ns[i]);
    cllm::batch_jacobi_step(*batch->backend, backends.data(), count, windows, ns, predictions, accepted);
  });
}

cllm_status cllm_jacobi_step(cllm_session* session, const int32_t* window, int32_t n, int32_t* predictions,
                             int32_t* out_accepted) {
  return guard([&] {
    cllm_session& s = checked(session);
    require(n >= 1, "n must be at least 1, got " + std::to_string(n));
    validate_tokens(s.model->config, window, n, "window");
    require_pointer(predictions, "predictions");
    require_pointer(out_accepted, "out_accepted");
    require_room(s, n);
    *out_accepted = s.backend->jacobi_step(window, n, predictions);
  });
}

cllm_status cllm_jacobi_block(cllm_session* session, int32_t y0, const int32_t* init_state, int32_t n,
                              int32_t max_iterations, int32_t eos_token, int32_t* produced, int32_t* out_produced,
                              int32_t* out_iterations, int32_t* accepted, int32_t* stationary, int32_t* states) {
  return guard([&] {
    cllm_session& s = checked(session);
    const cllm_config& c = s.model->config;
    require(n >= 1, "n must be at least 1, got " + std::to_string(n));
    require(max_iterations >= 1, "max_iterations must be at least 1, got " + std::to_string(max_iterations));
    validate_tokens(c, &y0, 1, "y0");
    validate_tokens(c, init_state, n, "init_state");
    require(eos_token < c.vocab_size, "eos_token " + std::to_string(eos_token) + " is outside the vocabulary");
    require_pointer(produced, "produced");
    require_pointer(out_produced, "out_produced");
    require_pointer(out_iterations, "out_iterations");
    require_room(s, n);  // the first iteration forwards n rows
    const auto result =
        s.backend->jacobi_block(y0, init_state, n, max_iterations, eos_token, produced, accepted, stationary, states);
    *out_produced = result.produced;
    *out_iterations = result.iterations;
  });
}

cllm_status cllm_jacobi_run(cllm_session* session, int32_t* window, int32_t* prior, int32_t n, int32_t max_tokens,
                            int32_t max_iterations, int32_t eos_token, int32_t guess_kind, int64_t guess_seed,
                            int32_t pad_token, const int32_t* history, int32_t history_length, int32_t* committed,
                            int32_t* out_committed, int32_t* out_iterations, int32_t* accepted, int32_t* stationary,
                            int32_t* iteration_predictions) {
  return guard([&] {
    cllm_session& s = checked(session);
    const cllm_config& c = s.model->config;
    const int32_t length = s.backend->length();
    // Rows beyond the free positions are never forwarded, so n is bounded only against absurd sizes.
    require(n >= 1 && n <= kMaxRunWindow,
            "n must be in [1, " + std::to_string(kMaxRunWindow) + "], got " + std::to_string(n));
    require(max_tokens >= 1, "max_tokens must be at least 1, got " + std::to_string(max_tokens));
    require(max_iterations >= 1, "max_iterations must be at least 1, got " + std::to_string(max_iterations));
    validate_tokens(c, window, n, "window");
    require_pointer(prior, "prior");
    for (int32_t i = 0; i < n; ++i) {
      require(prior[i] >= -1 && prior[i] < c.vocab_size,
              "prior[" + std::to_string(i) + "] = " + std::to_string(prior[i]) +
                  " is neither -1 nor inside the vocabulary [0, " + std::to_string(c.vocab_size) + ")");
    }
    require(eos_token < c.vocab_size, "eos_token " + std::to_string(eos_token) + " is outside the vocabulary");
    require(
        guess_kind == CLLM_GUESS_RANDOM || guess_kind == CLLM_GUESS_LAST || guess_kind == CLLM_GUESS_PAD,
        "guess_kind must be CLLM_GUESS_RANDOM, CLLM_GUESS_LAST or CLLM_GUESS_PAD, got " + std::to_string(guess_kind));
    if (guess_kind == CLLM_GUESS_PAD) validate_tokens(c, &pad_token, 1, "pad_token");
    require(history_length >= 1 && history_length <= length + 1,
            "history_length must be in [1, session length + 1 = " + std::to_string(length + 1) + "], got " +
                std::to_string(history_length));
    validate_tokens(c, history, history_length, "history");
    require_pointer(committed, "committed");
    require_pointer(out_committed, "out_committed");
    require_pointer(out_iterations, "out_iterations");
    require_pointer(accepted, "accepted");
    require_pointer(stationary, "stationary");
    require_room(s, 1);  // the window narrows to the room left, but one row must fit
    cllm::SessionBackend::RunArgs args{};
    args.window = window;
    args.prior = prior;
    args.n = n;
    args.max_tokens = max_tokens;
    args.max_iterations = max_iterations;
    args.eos_token = eos_token;
    args.guess = {guess_kind, uint64_t(guess_seed), pad_token};
    args.history = history;
    args.history_length = history_length;
    args.committed = committed;
    args.accepted = accepted;
    args.stationary = stationary;
    args.predictions = iteration_predictions;
    const auto result = s.backend->jacobi_run(args);
    *out_committed = result.committed;
    *out_iterations = result.iterations;
  });
}

}  // extern "C"
