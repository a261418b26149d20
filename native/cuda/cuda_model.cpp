#include "cuda_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "attention.cuh"
#include "convert.cuh"
#include "cuda_session.hpp"
#include "layout.hpp"
#include "rope_table.hpp"

namespace cllm::cuda {
namespace {

// Host bytes converted per staging round trip during uploads (bounds the temporary device memory).
constexpr int64_t kStagingBytes = int64_t(64) << 20;

size_t dtype_size(cllm_dtype dtype) { return dtype == CLLM_DTYPE_F32 ? 4 : 2; }

int32_t env_int(const char* name, int32_t fallback) {
  const char* value = std::getenv(name);
  if (!value || !*value) return fallback;
  char* end = nullptr;
  const long parsed = std::strtol(value, &end, 10);
  return (end && *end == '\0') ? int32_t(parsed) : fallback;
}

}  // namespace

GraphMode graph_mode_from_environment() {
  const char* value = std::getenv("CLLM_CUDA_GRAPH_MODE");
  if (!value || !*value || std::strcmp(value, "while") == 0) return GraphMode::kWhile;
  if (std::strcmp(value, "loop") == 0) return GraphMode::kLoop;
  if (std::strcmp(value, "eager") == 0) return GraphMode::kEager;
  throw Error(CLLM_ERR_INVALID_ARGUMENT,
              std::string("CLLM_CUDA_GRAPH_MODE must be while, loop or eager, got '") + value + "'");
}

Bf16Matrix::Bf16Matrix(int32_t out_rows_, int32_t in_, const char* what)
    : data(size_t(gemm_rows_padded(out_rows_)) * size_t(gemm_ld(in_)), what),
      out_rows(out_rows_),
      in(in_),
      ld(gemm_ld(in_)) {}

CudaModel::CudaModel(const cllm_config& config, int32_t device) : config_(config), device_(device) {
  int count = 0;
  const cudaError_t counted = cudaGetDeviceCount(&count);
  if (counted != cudaSuccess || count == 0) {
    cudaGetLastError();
    const std::string reason = counted == cudaErrorInsufficientDriver
                                   ? "no NVIDIA driver (libcuda.so.1), or one older than this CUDA runtime"
                               : counted == cudaSuccess ? "the driver reports no device"
                                                        : cudaGetErrorString(counted);
    throw Error(CLLM_ERR_UNSUPPORTED, "no CUDA device is available: " + reason);
  }
  if (device >= count) {
    throw Error(CLLM_ERR_INVALID_ARGUMENT,
                "CUDA device " + std::to_string(device) + " does not exist (" + std::to_string(count) + " present)");
  }
  DeviceScope scope(device);
  cudaDeviceProp props{};
  CLLM_CUDA_CHECK(cudaGetDeviceProperties(&props, device));
  if (props.major < 8) {
    throw Error(CLLM_ERR_UNSUPPORTED, std::string("CUDA device ") + props.name + " has compute capability " +
                                          std::to_string(props.major) + "." + std::to_string(props.minor) +
                                          "; the CUDA backend needs 8.0 or newer (bf16 tensor cores)");
  }
  if (config.head_dim > kAttentionMaxHeadDim) {
    throw Error(CLLM_ERR_UNSUPPORTED, "the CUDA backend supports head_dim up to " +
                                          std::to_string(kAttentionMaxHeadDim) + ", got " +
                                          std::to_string(config.head_dim));
  }
  cc_major_ = props.major;
  multiprocessors_ = props.multiProcessorCount > 0 ? props.multiProcessorCount : 1;
  CLLM_CUDA_CHECK(cudaDriverGetVersion(&driver_version_));
  // CUDA-core (GEMV) path for up to this many rows; 0 = tensor cores for every row count. The default
  // is 0: one GEMM path for every n rounds a row the same way at any width, so Jacobi output equals AR
  // output exactly; the GEMV rounds differently and is an opt-in for benchmarks.
  gemv_max_rows_ = env_int("CLLM_CUDA_GEMV_ROWS", 0);
  verbose_ = env_int("CLLM_CUDA_VERBOSE", 0) != 0;
  CLLM_CUDA_CHECK(prepare_attention(config.head_dim));

  const int32_t dim = config.dim, hidden = config.hidden_dim;
  embedding_ = Bf16Matrix(config.vocab_size, dim, "the token embedding");
  if (!config.tied_embeddings) output_ = Bf16Matrix(config.vocab_size, dim, "the output head");
  layers_.resize(size_t(config.n_layers));
  for (CudaLayer& l : layers_) {
    l.attn_norm = DeviceArray<float>(size_t(dim), "a norm weight");
    l.ffn_norm = DeviceArray<float>(size_t(dim), "a norm weight");
    l.wqkv = Bf16Matrix(q_dim() + 2 * kv_dim(), dim, "a fused QKV matrix");
    l.wo = Bf16Matrix(dim, q_dim(), "an attention output matrix");
    l.w_gate_up = Bf16Matrix(2 * swiglu_hidden_padded(hidden), dim, "a gate/up matrix");
    l.w_down = Bf16Matrix(dim, hidden, "a down projection");
  }
  final_norm_ = DeviceArray<float>(size_t(dim), "the final norm weight");
  // Rotary frequencies exactly as the CPU twin computes them: theta^(-2i/head_dim) in double, then float.
  const int32_t half = config.head_dim / 2;
  std::vector<float> inv_freq(static_cast<size_t>(half));
  for (int32_t i = 0; i < half; ++i) {
    inv_freq[size_t(i)] = rope_inv_freq(i, config.head_dim, config.rope_theta);
  }
  inv_freq_ = DeviceArray<float>(size_t(half), "rotary frequencies");
  CLLM_CUDA_CHECK(
      cudaMemcpy(inv_freq_.get(), inv_freq.data(), inv_freq.size() * sizeof(float), cudaMemcpyHostToDevice));
  // Zero fills (the padding the GEMM relies on) ran on the legacy stream; sessions use their own.
  CLLM_CUDA_CHECK(cudaStreamSynchronize(nullptr));
  if (verbose_) {
    std::fprintf(stderr, "cllm cuda: model on %s (cc %d.%d), %.1f MiB of weights, %s\n", props.name, props.major,
                 props.minor, double(weight_bytes()) / (1024.0 * 1024.0),
                 gemv_max_rows_ > 0 ? ("GEMV path up to " + std::to_string(gemv_max_rows_) + " rows (opt-in)").c_str()
                                    : "tensor-core GEMM for every row count (exact)");
  }
}

CudaModel::~CudaModel() {
  // Weights are freed by their owners; make sure no upload is still reading them.
  int current = -1;
  if (cudaGetDevice(&current) == cudaSuccess) {
    cudaSetDevice(device_);
    cudaDeviceSynchronize();
    if (current != device_) cudaSetDevice(current);
  }
}

void CudaModel::upload(int32_t tensor, int32_t layer, cllm_dtype dtype, const void* data, int64_t n) {
  DeviceScope scope(device_);
  const int32_t dim = config_.dim, hidden = config_.hidden_dim;
  const int64_t plain = int64_t(RowPlacement::kPlain);
  switch (tensor) {
    case CLLM_TENSOR_TOKEN_EMBEDDING:
      upload_matrix(embedding_, plain, 0, dtype, data, config_.vocab_size, dim);
      break;
    case CLLM_TENSOR_OUTPUT:
      upload_matrix(output_, plain, 0, dtype, data, config_.vocab_size, dim);
      break;
    case CLLM_TENSOR_FINAL_NORM:
      upload_vector(final_norm_, dtype, data, n);
      break;
    case CLLM_TENSOR_ATTN_NORM:
      upload_vector(layers_[size_t(layer)].attn_norm, dtype, data, n);
      break;
    case CLLM_TENSOR_FFN_NORM:
      upload_vector(layers_[size_t(layer)].ffn_norm, dtype, data, n);
      break;
    case CLLM_TENSOR_WQ:
      upload_matrix(layers_[size_t(layer)].wqkv, plain, 0, dtype, data, q_dim(), dim);
      break;
    case CLLM_TENSOR_WK:
      upload_matrix(layers_[size_t(layer)].wqkv, plain, q_dim(), dtype, data, kv_dim(), dim);
      break;
    case CLLM_TENSOR_WV:
      upload_matrix(layers_[size_t(layer)].wqkv, plain, q_dim() + kv_dim(), dtype, data, kv_dim(), dim);
      break;
    case CLLM_TENSOR_WO:
      upload_matrix(layers_[size_t(layer)].wo, plain, 0, dtype, data, dim, q_dim());
      break;
    case CLLM_TENSOR_W_GATE:
      upload_matrix(layers_[size_t(layer)].w_gate_up, int32_t(RowPlacement::kSwiGLUGate), 0, dtype, data, hidden, dim);
      break;
    case CLLM_TENSOR_W_UP:
      upload_matrix(layers_[size_t(layer)].w_gate_up, int32_t(RowPlacement::kSwiGLUUp), 0, dtype, data, hidden, dim);
      break;
    case CLLM_TENSOR_W_DOWN:
      upload_matrix(layers_[size_t(layer)].w_down, plain, 0, dtype, data, dim, hidden);
      break;
    default:
      throw Error(CLLM_ERR_INVALID_ARGUMENT, "unknown tensor kind " + std::to_string(tensor));
  }
}

void CudaModel::upload_matrix(Bf16Matrix& target, int32_t placement, int64_t row_offset, cllm_dtype dtype,
                              const void* data, int64_t rows, int32_t cols) {
  // Raw bytes go to a device staging buffer piece by piece; a kernel converts and places them.
  const size_t element = dtype_size(dtype);
  const int64_t row_bytes = int64_t(cols) * int64_t(element);
  const int64_t rows_per_piece = std::max<int64_t>(1, kStagingBytes / row_bytes);
  DeviceArray<uint8_t> staging(size_t(std::min(rows, rows_per_piece) * row_bytes), "upload staging");
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (int64_t first = 0; first < rows; first += rows_per_piece) {
    const int64_t count = std::min(rows_per_piece, rows - first);
    CLLM_CUDA_CHECK(
        cudaMemcpy(staging.get(), bytes + first * row_bytes, size_t(count * row_bytes), cudaMemcpyHostToDevice));
    ConvertArgs args{};
    args.src = staging.get();
    args.src_type = SourceType(int32_t(dtype));
    args.rows = count;
    args.cols = cols;
    args.first_row = first;
    args.dst = target.data.get();
    args.ld_dst = target.ld;
    args.row_offset = row_offset;
    args.placement = RowPlacement(placement);
    CLLM_CUDA_CHECK(launch_convert_to_bf16(args, nullptr));
    CLLM_CUDA_CHECK(cudaStreamSynchronize(nullptr));  // the staging buffer is reused next
  }
}

void CudaModel::upload_vector(DeviceArray<float>& target, cllm_dtype dtype, const void* data, int64_t n) {
  std::vector<float> values(static_cast<size_t>(n));
  if (dtype == CLLM_DTYPE_F32) {
    std::memcpy(values.data(), data, size_t(n) * sizeof(float));
  } else {
    const auto* bits = static_cast<const uint16_t*>(data);
    for (int64_t i = 0; i < n; ++i)
      values[size_t(i)] = dtype == CLLM_DTYPE_BF16 ? bf16_to_float(bits[i]) : f16_to_float(bits[i]);
  }
  CLLM_CUDA_CHECK(cudaMemcpy(target.get(), values.data(), size_t(n) * sizeof(float), cudaMemcpyHostToDevice));
}

int64_t CudaModel::weight_bytes() const {
  int64_t total = int64_t(embedding_.data.bytes() + output_.data.bytes() + final_norm_.bytes());
  for (const CudaLayer& l : layers_) {
    total += int64_t(l.attn_norm.bytes() + l.ffn_norm.bytes() + l.wqkv.data.bytes() + l.wo.data.bytes() +
                     l.w_gate_up.data.bytes() + l.w_down.data.bytes());
  }
  return total;
}

std::unique_ptr<SessionBackend> CudaModel::new_session(int32_t capacity) {
  return std::make_unique<CudaSession>(*this, capacity);
}

}  // namespace cllm::cuda
