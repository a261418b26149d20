// Helpers shared by the CUDA native tests: skipping without a device, checked CUDA calls, device
// buffers, bf16 conversions and error measures.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <cuda_runtime.h>

#include "backend.hpp"
#include "reference_model.hpp"
#include "test_checks.hpp"

namespace cllm::cuda_test {

using cllm::testing::expect;
using cllm::testing::failures;

// True when a CUDA device answers; else prints the one SKIP line the test reports.
inline bool have_device() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    cudaGetLastError();
    std::printf("SKIP: no CUDA device (%s)\n", status != cudaSuccess ? cudaGetErrorString(status) : "0 devices");
    return false;
  }
  return true;
}

#define TEST_CUDA(call)                                                          \
  do {                                                                           \
    const cudaError_t test_cuda_status = (call);                                 \
    if (test_cuda_status != cudaSuccess) {                                       \
      std::fprintf(stderr, "FAIL: %s at %s:%d: %s\n", #call, __FILE__, __LINE__, \
                   cudaGetErrorString(test_cuda_status));                        \
      std::exit(1);                                                              \
    }                                                                            \
  } while (0)

// Device memory of exactly count elements, zero-filled: no slack bytes past the end, so that
// compute-sanitizer's memcheck reports a kernel that reads or writes even one byte too far.
template <typename T>
class Buffer {
 public:
  explicit Buffer(size_t count) : count_(count) {
    TEST_CUDA(cudaMalloc(&ptr_, count * sizeof(T)));
    if (count > 0) TEST_CUDA(cudaMemset(ptr_, 0, count * sizeof(T)));
  }
  explicit Buffer(const std::vector<T>& host) : Buffer(host.size()) { upload(host); }
  ~Buffer() { cudaFree(ptr_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  T* get() const { return static_cast<T*>(ptr_); }
  void upload(const std::vector<T>& host) {
    TEST_CUDA(cudaMemcpy(ptr_, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice));
  }
  std::vector<T> download() const {
    TEST_CUDA(cudaDeviceSynchronize());
    std::vector<T> host(count_);
    TEST_CUDA(cudaMemcpy(host.data(), ptr_, count_ * sizeof(T), cudaMemcpyDeviceToHost));
    return host;
  }

 private:
  void* ptr_ = nullptr;
  size_t count_;
};

inline void expect_close(const std::vector<float>& got, const std::vector<float>& want, double tolerance,
                         const char* what) {
  const double error = cllm::testing::max_relative_error(got, want);
  std::printf("  %-56s rel err %.3g\n", what, error);
  expect(error <= tolerance, what);
}

inline std::vector<float> random_floats(std::mt19937& rng, size_t n, float scale) {
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> values(n);
  for (auto& v : values) v = normal(rng);
  return values;
}

inline std::vector<uint16_t> to_bf16(const std::vector<float>& values) {
  std::vector<uint16_t> bits(values.size());
  for (size_t i = 0; i < values.size(); ++i) bits[i] = cllm::float_to_bf16(values[i]);
  return bits;
}

inline std::vector<float> from_bf16(const std::vector<uint16_t>& bits) {
  std::vector<float> values(bits.size());
  for (size_t i = 0; i < bits.size(); ++i) values[i] = cllm::bf16_to_float(bits[i]);
  return values;
}

// Values rounded through bf16 (what the device sees).
inline std::vector<float> round_bf16(const std::vector<float>& values) { return from_bf16(to_bf16(values)); }

}  // namespace cllm::cuda_test
