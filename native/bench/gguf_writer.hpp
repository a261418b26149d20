// A minimal GGUF (version 3) writer: metadata key/values, then tensor infos, then the tensor data, each
// tensor aligned to 32 bytes. Enough for llama.cpp to load a Llama model that cllm-gguf-random writes;
// not a general-purpose GGUF library (the Java side has its own reader and writer).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace cllm::bench {

// ggml's tensor type numbers for the types written here.
enum class GgmlType : uint32_t { f32 = 0, f16 = 1, q8_0 = 8, bf16 = 30 };

// Bytes of n elements of a type (Q8_0: n a multiple of 32).
uint64_t ggml_bytes(GgmlType type, uint64_t n);

class GgufWriter {
 public:
  void add_string(const std::string& key, const std::string& value);
  void add_u32(const std::string& key, uint32_t value);
  void add_f32(const std::string& key, float value);
  void add_strings(const std::string& key, const std::vector<std::string>& values);
  void add_f32s(const std::string& key, const std::vector<float>& values);
  void add_i32s(const std::string& key, const std::vector<int32_t>& values);
  // A tensor of GGUF shape ne (ne[0] is the row length, the fastest dimension), written later in order.
  void add_tensor(const std::string& name, const std::vector<uint64_t>& ne, GgmlType type);

  // Writes the header and the tensor infos; then write_tensor once per tensor, in add_tensor order, with
  // exactly its bytes. False on an I/O error.
  bool begin(const std::string& path);
  bool write_tensor(const void* data, uint64_t bytes);
  bool finish();

 private:
  struct Info {
    std::string name;
    std::vector<uint64_t> ne;
    GgmlType type;
    uint64_t offset, bytes;
  };
  std::vector<uint8_t> kv_;  // serialised key/values
  uint64_t n_kv_ = 0;
  std::vector<Info> tensors_;
  size_t next_ = 0;
  uint64_t written_ = 0, data_start_ = 0;
  FILE* file_ = nullptr;
  bool ok_ = true;

  void put(std::vector<uint8_t>& out, const void* p, size_t n);
  void put_string(std::vector<uint8_t>& out, const std::string& s);
  bool write(const void* p, size_t n);
  bool pad_to(uint64_t position);
};

}  // namespace cllm::bench
