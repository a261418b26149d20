#include "gguf_writer.hpp"

#include <cstring>

namespace cllm::bench {
namespace {

constexpr uint64_t kAlignment = 32;  // GGUF's default general.alignment
// GGUF metadata value types.
constexpr uint32_t kU32 = 4, kI32 = 5, kF32 = 6, kString = 8, kArray = 9;

}  // namespace

uint64_t ggml_bytes(GgmlType type, uint64_t n) {
  switch (type) {
    case GgmlType::f32:
      return n * 4;
    case GgmlType::q8_0:
      return n / 32 * 34;
    default:
      return n * 2;
  }
}

void GgufWriter::put(std::vector<uint8_t>& out, const void* p, size_t n) {
  const auto* bytes = static_cast<const uint8_t*>(p);
  out.insert(out.end(), bytes, bytes + n);
}

void GgufWriter::put_string(std::vector<uint8_t>& out, const std::string& s) {
  const uint64_t length = s.size();
  put(out, &length, 8);
  put(out, s.data(), s.size());
}

void GgufWriter::add_string(const std::string& key, const std::string& value) {
  put_string(kv_, key);
  put(kv_, &kString, 4);
  put_string(kv_, value);
  ++n_kv_;
}

void GgufWriter::add_u32(const std::string& key, uint32_t value) {
  put_string(kv_, key);
  put(kv_, &kU32, 4);
  put(kv_, &value, 4);
  ++n_kv_;
}

void GgufWriter::add_f32(const std::string& key, float value) {
  put_string(kv_, key);
  put(kv_, &kF32, 4);
  put(kv_, &value, 4);
  ++n_kv_;
}

void GgufWriter::add_strings(const std::string& key, const std::vector<std::string>& values) {
  put_string(kv_, key);
  put(kv_, &kArray, 4);
  put(kv_, &kString, 4);
  const uint64_t count = values.size();
  put(kv_, &count, 8);
  for (const auto& v : values) put_string(kv_, v);
  ++n_kv_;
}

void GgufWriter::add_f32s(const std::string& key, const std::vector<float>& values) {
  put_string(kv_, key);
  put(kv_, &kArray, 4);
  put(kv_, &kF32, 4);
  const uint64_t count = values.size();
  put(kv_, &count, 8);
  put(kv_, values.data(), values.size() * 4);
  ++n_kv_;
}

void GgufWriter::add_i32s(const std::string& key, const std::vector<int32_t>& values) {
  put_string(kv_, key);
  put(kv_, &kArray, 4);
  put(kv_, &kI32, 4);
  const uint64_t count = values.size();
  put(kv_, &count, 8);
  put(kv_, values.data(), values.size() * 4);
  ++n_kv_;
}

void GgufWriter::add_tensor(const std::string& name, const std::vector<uint64_t>& ne, GgmlType type) {
  uint64_t n = 1;
  for (uint64_t d : ne) n *= d;
  uint64_t offset = 0;
  if (!tensors_.empty()) {
    const Info& last = tensors_.back();
    offset = (last.offset + last.bytes + kAlignment - 1) / kAlignment * kAlignment;
  }
  tensors_.push_back({name, ne, type, offset, ggml_bytes(type, n)});
}

bool GgufWriter::write(const void* p, size_t n) {
  ok_ = ok_ && std::fwrite(p, 1, n, file_) == n;
  written_ += n;
  return ok_;
}

bool GgufWriter::pad_to(uint64_t position) {
  static const uint8_t zeros[kAlignment] = {};
  while (ok_ && written_ < position)
    write(zeros, size_t(position - written_ < kAlignment ? position - written_ : kAlignment));
  return ok_;
}

bool GgufWriter::begin(const std::string& path) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) return false;
  std::vector<uint8_t> head;
  put(head, "GGUF", 4);
  const uint32_t version = 3;
  put(head, &version, 4);
  const uint64_t n_tensors = tensors_.size();
  put(head, &n_tensors, 8);
  put(head, &n_kv_, 8);
  put(head, kv_.data(), kv_.size());
  for (const Info& t : tensors_) {
    put_string(head, t.name);
    const uint32_t dims = uint32_t(t.ne.size());
    put(head, &dims, 4);
    put(head, t.ne.data(), t.ne.size() * 8);
    const uint32_t type = uint32_t(t.type);
    put(head, &type, 4);
    put(head, &t.offset, 8);
  }
  write(head.data(), head.size());
  data_start_ = (written_ + kAlignment - 1) / kAlignment * kAlignment;
  return pad_to(data_start_);
}

bool GgufWriter::write_tensor(const void* data, uint64_t bytes) {
  if (next_ >= tensors_.size() || bytes != tensors_[next_].bytes) return ok_ = false;
  pad_to(data_start_ + tensors_[next_].offset);
  write(data, size_t(bytes));
  ++next_;
  return ok_;
}

bool GgufWriter::finish() {
  ok_ = ok_ && next_ == tensors_.size();
  if (file_ && std::fclose(file_) != 0) ok_ = false;
  file_ = nullptr;
  return ok_;
}

}  // namespace cllm::bench
