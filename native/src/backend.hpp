// The internal C++ interface every backend implements. api.cpp validates all arguments against the
// config and the session state before it calls into a backend, so backends may assume valid input.
// Backends report failures by throwing cllm::Error; api.cpp turns it into a status and a message.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "cllm/cllm.h"
#include "half_floats.hpp"  // the upload conversions every backend uses

namespace cllm {

class __attribute__((visibility("default"))) Error : public std::runtime_error {
 public:
  Error(cllm_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  cllm_status status() const { return status_; }

 private:
  cllm_status status_;
};

// Number of elements of a tensor kind for a config (0 for the output head when tied).
int64_t tensor_elements(const cllm_config& config, int32_t tensor);
// Length of a tensor's rows: in_features for matrices, the whole length for vectors.
int64_t tensor_row_length(const cllm_config& config, int32_t tensor);
bool tensor_is_per_layer(int32_t tensor);
const char* tensor_name(int32_t tensor);

class SessionBackend {
 public:
  virtual ~SessionBackend() = default;
  virtual int32_t length() const = 0;
  virtual int32_t capacity() const = 0;
  // Forward tokens at positions length()..length()+n-1, advancing length by n. logits: host memory
  // for n * vocab floats, or nullptr.
  virtual void forward(const int32_t* tokens, int32_t n, float* logits) = 0;
  // Forward and write each row's prediction to host memory predictions[n]: the argmax (ties to the
  // lowest index), or what the session's sampling settings draw (set_sampling; sampling.hpp).
  virtual void forward_argmax(const int32_t* tokens, int32_t n, int32_t* predictions) = 0;
  // cllm_session_set_sampling (already validated; nullptr: greedy). The default accepts only plain
  // greedy settings and throws UNSUPPORTED otherwise, for backends without a sampler.
  virtual void set_sampling(const cllm_sampling* sampling);
  virtual void truncate(int32_t length) = 0;
  // Jacobi iteration, block and refill run as documented in cllm.h. The defaults (jacobi.cpp) are built
  // on forward_argmax and truncate; a device backend overrides them to stay on the device.
  virtual int32_t jacobi_step(const int32_t* window, int32_t n, int32_t* predictions);
  struct BlockResult {
    int32_t produced;
    int32_t iterations;
  };
  // accepted, stationary and states may be nullptr (not wanted).
  virtual BlockResult jacobi_block(int32_t y0, const int32_t* init_state, int32_t n, int32_t max_iterations,
                                   int32_t eos_token, int32_t* produced, int32_t* accepted, int32_t* stationary,
                                   int32_t* states);
  // cllm_jacobi_run: the refill-window loop. api.cpp has checked every argument and that at least one
  // row fits; predictions may be nullptr.
  struct GuessRule {
    int32_t kind;  // CLLM_GUESS_*
    uint64_t seed;
    int32_t pad_token;
  };
  struct RunArgs {
    int32_t* window;  // in/out, n
    int32_t* prior;   // in/out, n
    int32_t n;
    int32_t max_tokens;
    int32_t max_iterations;
    int32_t eos_token;
    GuessRule guess;
    const int32_t* history;
    int32_t history_length;
    int32_t* committed;    // out, see cllm.h
    int32_t* accepted;     // out
    int32_t* stationary;   // out
    int32_t* predictions;  // out or nullptr
  };
  struct RunResult {
    int32_t committed;
    int32_t iterations;
  };
  virtual RunResult jacobi_run(const RunArgs& args);
  // Runs the session's device work on a caller's stream (a cudaStream_t; nullptr: the session's
  // own). The default (CPU) throws UNSUPPORTED.
  virtual void set_cuda_stream(void* stream);
};

// Several sessions of one model in one forward (cllm_batch_*). The default runs the sessions one after
// the other (correct, not faster); a backend overrides it to share the weight GEMMs between them.
class BatchBackend {
 public:
  virtual ~BatchBackend() = default;
  // Forwards ns[s] rows of tokens (taken in order) for each session at its own length, advancing it,
  // and writes each row's prediction (as forward_argmax) to the same place of predictions. api.cpp has
  // checked that the sessions are distinct, of this batch's model, and have room.
  virtual void forward_predict(SessionBackend* const* sessions, int32_t count, const int32_t* tokens, const int32_t* ns,
                               int32_t* predictions);
};

// One Jacobi iteration per session through a batch (cllm_batch_jacobi_step; jacobi.cpp).
void batch_jacobi_step(BatchBackend& batch, SessionBackend* const* sessions, int32_t count, const int32_t* windows,
                       const int32_t* ns, int32_t* predictions, int32_t* accepted);

class ModelBackend {
 public:
  virtual ~ModelBackend() = default;
  virtual cllm_backend_kind kind() const = 0;
  // data holds n_elements values of dtype; n_elements already checked against the config.
  virtual void upload(int32_t tensor, int32_t layer, cllm_dtype dtype, const void* data, int64_t n_elements) = 0;
  virtual int64_t weight_bytes() const = 0;
  virtual std::unique_ptr<SessionBackend> new_session(int32_t capacity) = 0;
  // Scratch for batched forwards of up to max_rows rows; the default batch runs sessions one by one.
  virtual std::unique_ptr<BatchBackend> new_batch(int32_t max_rows);
};

// weight_dtype: what the CPU backend stores matrices in: CLLM_DTYPE_F32, CLLM_DTYPE_BF16 or CLLM_DTYPE_Q8_0.
std::unique_ptr<ModelBackend> make_cpu_model(const cllm_config& config, cllm_dtype weight_dtype);

// The CUDA plugin (libcllm_cuda.so) exports these with C linkage; plugin_loader.cpp finds them.
extern "C" {
typedef ModelBackend* (*cllm_cuda_make_model_fn)(const cllm_config* config, int32_t device);
typedef int32_t (*cllm_cuda_device_count_fn)(void);
// Fills the outputs that are not NULL; throws cllm::Error (device already checked against the count).
typedef void (*cllm_cuda_device_info_fn)(int32_t device, char* name, int32_t name_len, int64_t* total_memory,
                                         int32_t* cc_major, int32_t* cc_minor);
}

}  // namespace cllm
