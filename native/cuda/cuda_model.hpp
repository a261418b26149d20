// The CUDA model: weights on one device in the layouts the kernels read.
//   - matrices in bf16, rows padded to kGemmK elements and the row count to kGemmTileOut, with zeros;
//   - WQ, WK, WV fused into one matrix (one GEMM launch, one pass over the normed input);
//   - W_GATE and W_UP interleaved in tiles of 16 rows (the GEMM epilogue applies SwiGLU);
//   - norm weights and the rotary inverse frequencies in fp32.
// All device memory is allocated when the model is created, so a model that does not fit fails then
// with OUT_OF_MEMORY, never half-way through the uploads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <cuda_bf16.h>

#include "backend.hpp"
#include "device_memory.hpp"

namespace cllm::cuda {

struct Bf16Matrix {
  DeviceArray<__nv_bfloat16> data;
  int32_t out_rows = 0;  // rows holding data (SwiGLU: 2 * padded hidden)
  int32_t in = 0;        // columns holding data
  int32_t ld = 0;        // gemm_ld(in)
  Bf16Matrix() = default;
  Bf16Matrix(int32_t out_rows_, int32_t in_, const char* what);
};

struct CudaLayer {
  DeviceArray<float> attn_norm, ffn_norm;
  Bf16Matrix wqkv, wo, w_gate_up, w_down;
};

// How a session runs a Jacobi block: a graph with a WHILE node (default), the iteration graph in a host
// loop, or plain launches in a host loop (debugging). CLLM_CUDA_GRAPH_MODE=while|loop|eager, read when
// a session is created.
enum class GraphMode { kWhile, kLoop, kEager };
GraphMode graph_mode_from_environment();

class CudaModel final : public ModelBackend {
 public:
  CudaModel(const cllm_config& config, int32_t device);
  ~CudaModel() override;
  cllm_backend_kind kind() const override { return CLLM_BACKEND_CUDA; }
  void upload(int32_t tensor, int32_t layer, cllm_dtype dtype, const void* data, int64_t n_elements) override;
  int64_t weight_bytes() const override;
  std::unique_ptr<SessionBackend> new_session(int32_t capacity) override;

  const cllm_config& config() const { return config_; }
  int32_t device() const { return device_; }
  int32_t q_dim() const { return config_.n_heads * config_.head_dim; }
  int32_t kv_dim() const { return config_.n_kv_heads * config_.head_dim; }
  const Bf16Matrix& embedding() const { return embedding_; }
  const Bf16Matrix& output_head() const { return config_.tied_embeddings ? embedding_ : output_; }
  const CudaLayer& layer(int32_t l) const { return layers_[size_t(l)]; }
  const float* final_norm() const { return final_norm_.get(); }
  const float* inv_freq() const { return inv_freq_.get(); }
  int32_t gemv_max_rows() const { return gemv_max_rows_; }
  bool verbose() const { return verbose_; }
  // Device facts the sessions' speed switches depend on (speed_switches.hpp): compute capability major,
  // number of SMs, driver version (e.g. 12040).
  int32_t cc_major() const { return cc_major_; }
  int32_t multiprocessors() const { return multiprocessors_; }
  int32_t driver_version() const { return driver_version_; }

 private:
  void upload_matrix(Bf16Matrix& target, int32_t placement, int64_t row_offset, cllm_dtype dtype, const void* data,
                     int64_t rows, int32_t cols);
  void upload_vector(DeviceArray<float>& target, cllm_dtype dtype, const void* data, int64_t n);

  cllm_config config_;
  int32_t device_;
  Bf16Matrix embedding_, output_;
  std::vector<CudaLayer> layers_;
  DeviceArray<float> final_norm_, inv_freq_;
  int32_t gemv_max_rows_;
  bool verbose_;
  int32_t cc_major_ = 0, multiprocessors_ = 1, driver_version_ = 0;
};

}  // namespace cllm::cuda
