// A grow-only array on 64-byte boundaries (one cache line, one AVX-512 vector), for the CPU
// backend's weights, KV caches and scratch. Unaligned rows would make every other vector load of the
// kernels straddle two cache lines. Arrays of 4 MB and more start on a 2 MB boundary and ask the kernel
// for transparent huge pages (madvise), which saves TLB misses while the weights stream by.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace cllm::cpu {

template <typename T>
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() { std::free(data_); }

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

  // Makes room for n elements. Contents are kept only when keep is true; new space is uninitialised.
  void resize(size_t n, bool keep = false) {
    if (n <= capacity_) {
      size_ = n;
      return;
    }
    const size_t bytes = n * sizeof(T);
    const size_t align = bytes >= (size_t(4) << 20) ? size_t(2) << 20 : 64;
    void* fresh = std::aligned_alloc(align, (bytes + align - 1) / align * align);
    if (!fresh) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    if (align > 64) madvise(fresh, bytes, MADV_HUGEPAGE);  // a hint: failure is harmless
#endif
    if (keep && size_) __builtin_memcpy(fresh, data_, size_ * sizeof(T));
    std::free(data_);
    data_ = static_cast<T*>(fresh);
    size_ = capacity_ = n;
  }

 private:
  T* data_ = nullptr;
  size_t size_ = 0, capacity_ = 0;
};

using AlignedArray = AlignedBuffer<float>;
using AlignedBytes = AlignedBuffer<uint8_t>;

}  // namespace cllm::cpu
