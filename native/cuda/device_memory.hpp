// Owning handles for device memory, pinned host memory and streams. Allocation failures throw
// cllm::Error (OUT_OF_MEMORY with the size and purpose); release never throws.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include <cuda_runtime.h>

#include "cuda_check.hpp"

namespace cllm::cuda {

[[noreturn]] void throw_allocation_error(cudaError_t error, size_t bytes, const char* what, bool pinned);

template <typename T>
class DeviceArray {
 public:
  DeviceArray() = default;
  // count elements, zero-filled (padding columns of GEMM operands must read as zero). The fill is
  // queued on the legacy default stream: owners synchronize it before other streams use the memory.
  DeviceArray(size_t count, const char* what) : count_(count) {
    if (count == 0) return;
    void* p = nullptr;
    const cudaError_t error = cudaMalloc(&p, count * sizeof(T));
    if (error != cudaSuccess) throw_allocation_error(error, count * sizeof(T), what, false);
    ptr_ = static_cast<T*>(p);
    CLLM_CUDA_CHECK(cudaMemset(ptr_, 0, count * sizeof(T)));
  }
  ~DeviceArray() { release(); }
  DeviceArray(DeviceArray&& other) noexcept
      : ptr_(std::exchange(other.ptr_, nullptr)), count_(std::exchange(other.count_, 0)) {}
  DeviceArray& operator=(DeviceArray&& other) noexcept {
    if (this != &other) {
      release();
      ptr_ = std::exchange(other.ptr_, nullptr);
      count_ = std::exchange(other.count_, 0);
    }
    return *this;
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;

  T* get() const { return ptr_; }
  size_t size() const { return count_; }
  size_t bytes() const { return count_ * sizeof(T); }

 private:
  void release() {
    if (ptr_) cudaFree(ptr_);
    ptr_ = nullptr;
    count_ = 0;
  }
  T* ptr_ = nullptr;
  size_t count_ = 0;
};

// Page-locked host memory: the target of the one device-to-host copy per call.
template <typename T>
class PinnedArray {
 public:
  PinnedArray() = default;
  PinnedArray(size_t count, const char* what) : count_(count) {
    if (count == 0) return;
    void* p = nullptr;
    const cudaError_t error = cudaMallocHost(&p, count * sizeof(T));
    if (error != cudaSuccess) throw_allocation_error(error, count * sizeof(T), what, true);
    ptr_ = static_cast<T*>(p);
  }
  ~PinnedArray() {
    if (ptr_) cudaFreeHost(ptr_);
  }
  PinnedArray(PinnedArray&& other) noexcept
      : ptr_(std::exchange(other.ptr_, nullptr)), count_(std::exchange(other.count_, 0)) {}
  PinnedArray& operator=(PinnedArray&& other) noexcept {
    if (this != &other) {
      if (ptr_) cudaFreeHost(ptr_);
      ptr_ = std::exchange(other.ptr_, nullptr);
      count_ = std::exchange(other.count_, 0);
    }
    return *this;
  }
  PinnedArray(const PinnedArray&) = delete;
  PinnedArray& operator=(const PinnedArray&) = delete;
  T* get() const { return ptr_; }
  size_t size() const { return count_; }

 private:
  T* ptr_ = nullptr;
  size_t count_ = 0;
};

// Sets the current device for the scope of a call and restores the caller's afterwards (a JVM thread
// may be using another device for its own work).
class DeviceScope {
 public:
  explicit DeviceScope(int device) {
    if (cudaGetDevice(&previous_) != cudaSuccess) previous_ = -1;
    if (previous_ != device) CLLM_CUDA_CHECK(cudaSetDevice(device));
  }
  ~DeviceScope() {
    int current = -1;
    if (previous_ >= 0 && cudaGetDevice(&current) == cudaSuccess && current != previous_) cudaSetDevice(previous_);
  }
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  int previous_ = -1;
};

}  // namespace cllm::cuda
