// Packing into the weight types (weight_packing.hpp). Runs once per tensor at upload, so it favours
// plain loops over speed; compiled once, for the baseline ISA.
#include "weight_packing.hpp"

#include <cmath>
#include <cstring>
#include <vector>

#include "../backend.hpp"
#include "cpu_kernels.hpp"

namespace cllm::cpu {
namespace {

int32_t panels_of(int32_t rows) { return (rows + kPanel - 1) / kPanel; }

// Source row r as floats (Q8_0: dequantised).
void source_row(float* out, const void* src, cllm_dtype dtype, int32_t r, int32_t cols) {
  switch (dtype) {
    case CLLM_DTYPE_F32:
      std::memcpy(out, static_cast<const float*>(src) + int64_t(r) * cols, size_t(cols) * sizeof(float));
      return;
    case CLLM_DTYPE_BF16:
    case CLLM_DTYPE_F16: {
      const uint16_t* bits = static_cast<const uint16_t*>(src) + int64_t(r) * cols;
      for (int32_t c = 0; c < cols; ++c)
        out[c] = dtype == CLLM_DTYPE_BF16 ? bf16_to_float(bits[c]) : f16_to_float(bits[c]);
      return;
    }
    case CLLM_DTYPE_Q8_0:
      dequantize_q8_0(out, static_cast<const uint8_t*>(src) + int64_t(r) * (cols / kQ8Block) * kQ8BlockBytes, cols);
      return;
    default:
      throw Error(CLLM_ERR_INVALID_ARGUMENT, "unsupported dtype " + std::to_string(int(dtype)));
  }
}

// One block of up to 32 values as ggml quantises it; the values past `count` count as zeros.
void quantize_block(uint16_t* d_bits, int8_t* q, const float* x, int32_t count) {
  float amax = 0.0f;
  for (int32_t j = 0; j < count; ++j) amax = std::fmax(amax, std::fabs(x[j]));
  const float d = amax / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  *d_bits = float_to_f16(d);
  for (int32_t j = 0; j < kQ8Block; ++j) q[j] = j < count ? int8_t(std::round(x[j] * id)) : 0;
}

void pack_bf16(uint16_t* packed, const void* src, cllm_dtype dtype, int32_t rows, int32_t cols) {
  const int64_t panel = bf16_panel_elements(cols);
  std::memset(packed, 0, size_t(panels_of(rows) * panel) * sizeof(uint16_t));
  std::vector<float> row(static_cast<size_t>(cols));
  for (int32_t r = 0; r < rows; ++r) {
    uint16_t* lane = packed + (r / kPanel) * panel + (r % kPanel) * 2;
    if (dtype == CLLM_DTYPE_BF16) {  // bit for bit, NaN payloads included
      const uint16_t* bits = static_cast<const uint16_t*>(src) + int64_t(r) * cols;
      for (int32_t c = 0; c < cols; ++c) lane[(c / 2) * 2 * kPanel + c % 2] = bits[c];
      continue;
    }
    source_row(row.data(), src, dtype, r, cols);
    for (int32_t c = 0; c < cols; ++c) lane[(c / 2) * 2 * kPanel + c % 2] = float_to_bf16(row[c]);
  }
}

void pack_q8(uint8_t* packed, const void* src, cllm_dtype dtype, int32_t rows, int32_t cols) {
  const int64_t panel = q8_panel_bytes(cols);
  const int32_t superblocks = int32_t(panel / kQ8SuperblockBytes);
  for (int64_t s = 0; s < int64_t(panels_of(rows)) * superblocks; ++s) {  // padding: q = 0 (stored 128), d = 0
    std::memset(packed + s * kQ8SuperblockBytes, 0x80, 1024);
    std::memset(packed + s * kQ8SuperblockBytes + 1024, 0, kQ8SuperblockBytes - 1024);
  }
  const int32_t blocks = (cols + kQ8Block - 1) / kQ8Block;
  std::vector<float> row(size_t(blocks) * kQ8Block, 0.0f);
  std::vector<int8_t> q(size_t(blocks) * kQ8Block);
  std::vector<uint16_t> d(static_cast<size_t>(blocks));
  for (int32_t r = 0; r < rows; ++r) {
    if (dtype == CLLM_DTYPE_Q8_0) {  // GGUF blocks as they are
      const uint8_t* block = static_cast<const uint8_t*>(src) + int64_t(r) * blocks * kQ8BlockBytes;
      for (int32_t b = 0; b < blocks; ++b, block += kQ8BlockBytes) {
        std::memcpy(&d[b], block, 2);
        for (int32_t j = 0; j < kQ8Block; ++j) {
          const int8_t value = int8_t(block[2 + j]);
          q[size_t(b) * kQ8Block + j] = value == -128 ? int8_t(-127) : value;
        }
      }
    } else {
      source_row(row.data(), src, dtype, r, cols);
      for (int32_t b = 0; b < blocks; ++b) {
        quantize_block(&d[b], &q[size_t(b) * kQ8Block], &row[size_t(b) * kQ8Block],
                       cols - b * kQ8Block < kQ8Block ? cols - b * kQ8Block : kQ8Block);
      }
    }
    uint8_t* base = packed + (r / kPanel) * panel;
    const int32_t lane = r % kPanel;
    for (int32_t c = 0; c < cols; ++c) {
      uint8_t* superblock = base + (c / kQ8Superblock) * kQ8SuperblockBytes;
      superblock[((c % kQ8Superblock) / 4) * 64 + lane * 4 + c % 4] = uint8_t(int32_t(q[c]) + 128);
    }
    for (int32_t b = 0; b < blocks; ++b) {
      uint8_t* superblock = base + (b / 2) * kQ8SuperblockBytes;
      std::memcpy(superblock + 1024 + (b % 2) * 2 * kPanel + lane * 2, &d[b], 2);
    }
  }
}

}  // namespace

const char* weight_type_name(WeightType type) {
  switch (type) {
    case WeightType::bf16:
      return "bf16";
    case WeightType::q8_0:
      return "q8_0";
    default:
      return "f32";
  }
}

int64_t packed_weight_bytes(WeightType type, int32_t rows, int32_t cols) {
  switch (type) {
    case WeightType::bf16:
      return panels_of(rows) * bf16_panel_elements(cols) * int64_t(sizeof(uint16_t));
    case WeightType::q8_0:
      return panels_of(rows) * q8_panel_bytes(cols);
    default:
      return packed_size(rows, cols) * int64_t(sizeof(float));
  }
}

void pack_weights(void* packed, WeightType type, const void* src, cllm_dtype dtype, int32_t rows, int32_t cols) {
  switch (type) {
    case WeightType::bf16:
      return pack_bf16(static_cast<uint16_t*>(packed), src, dtype, rows, cols);
    case WeightType::q8_0:
      return pack_q8(static_cast<uint8_t*>(packed), src, dtype, rows, cols);
    default:
      break;
  }
  if (dtype == CLLM_DTYPE_F32)
    return pack_rows(static_cast<float*>(packed), static_cast<const float*>(src), rows, cols);
  std::vector<float> values(size_t(rows) * size_t(cols));
  for (int32_t r = 0; r < rows; ++r) source_row(values.data() + int64_t(r) * cols, src, dtype, r, cols);
  pack_rows(static_cast<float*>(packed), values.data(), rows, cols);
}

void convert_to_floats(float* out, const void* src, cllm_dtype dtype, int64_t n) {
  source_row(out, src, dtype, 0, int32_t(n));
}

void unpack_weight_row(float* row, const void* packed, WeightType type, int32_t r, int32_t cols) {
  if (type == WeightType::bf16) {
    const uint16_t* lane =
        static_cast<const uint16_t*>(packed) + (r / kPanel) * bf16_panel_elements(cols) + (r % kPanel) * 2;
    for (int32_t c = 0; c < cols; ++c) row[c] = bf16_to_float(lane[(c / 2) * 2 * kPanel + c % 2]);
  } else if (type == WeightType::q8_0) {
    const uint8_t* base = static_cast<const uint8_t*>(packed) + (r / kPanel) * q8_panel_bytes(cols);
    const int32_t lane = r % kPanel;
    for (int32_t c = 0; c < cols; ++c) {
      const uint8_t* superblock = base + (c / kQ8Superblock) * kQ8SuperblockBytes;
      uint16_t d;
      std::memcpy(&d, superblock + 1024 + ((c % kQ8Superblock) / kQ8Block) * 2 * kPanel + lane * 2, 2);
      const int32_t q = int32_t(superblock[((c % kQ8Superblock) / 4) * 64 + lane * 4 + c % 4]) - 128;
      row[c] = f16_to_float(d) * float(q);
    }
  } else {
    unpack_row(row, static_cast<const float*>(packed), r, cols);
  }
}

void quantize_q8_0(uint8_t* blocks, const float* x, int64_t n) {
  for (int64_t b = 0; b < n / kQ8Block; ++b) {
    uint8_t* block = blocks + b * kQ8BlockBytes;
    uint16_t d;
    quantize_block(&d, reinterpret_cast<int8_t*>(block + 2), x + b * kQ8Block, kQ8Block);
    std::memcpy(block, &d, 2);
  }
}

void dequantize_q8_0(float* x, const uint8_t* blocks, int64_t n) {
  for (int64_t b = 0; b < n / kQ8Block; ++b) {
    const uint8_t* block = blocks + b * kQ8BlockBytes;
    uint16_t d_bits;
    std::memcpy(&d_bits, block, 2);
    const float d = f16_to_float(d_bits);
    for (int32_t j = 0; j < kQ8Block; ++j) x[b * kQ8Block + j] = d * float(int8_t(block[2 + j]));
  }
}

}  // namespace cllm::cpu
