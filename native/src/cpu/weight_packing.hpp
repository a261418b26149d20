// The CPU backend's weight types in memory: packing a row-major matrix, given in any upload element type
// (f32, f16, bf16, GGUF Q8_0 blocks), into the panel layout of a weight type (isa.hpp describes the
// three layouts), reading one row back (the token embedding lookup), and GGUF's Q8_0 block format.
//
// Conversions: to f32, every source value exactly (Q8_0: d * q, exact in fp32); to bf16, round to
// nearest even (bf16 sources are copied bit for bit); to Q8_0, blocks of 32 quantised as ggml's reference
// quantizer does (d = max |x| / 127 stored as fp16, q = round(x / d) half away from zero, computed with
// the fp32 1 / d), while Q8_0 sources keep their d and q bit for bit (no re-quantising), except that a
// q of -128, which ggml never writes, is read as -127 (the kernels' sign trick needs |q| <= 127). A row
// whose length is not a multiple of 32 is quantised as if padded with zeros.
#pragma once

#include <cstdint>

#include "cllm/cllm.h"
#include "isa.hpp"

namespace cllm::cpu {

// Bytes of one GGUF Q8_0 block: an fp16 scale and 32 int8 values.
constexpr int64_t kQ8BlockBytes = 34;

const char* weight_type_name(WeightType type);
// Bytes the packed form of a [rows, cols] matrix takes (padding included).
int64_t packed_weight_bytes(WeightType type, int32_t rows, int32_t cols);
// Packs rows x cols values of dtype (row-major; Q8_0: each row is cols / 32 blocks, cols % 32 == 0).
void pack_weights(void* packed, WeightType type, const void* src, cllm_dtype dtype, int32_t rows, int32_t cols);
// n values of dtype as fp32 (Q8_0: n % 32 == 0, dequantised): the norm vectors.
void convert_to_floats(float* out, const void* src, cllm_dtype dtype, int64_t n);
// Row r of a packed matrix as fp32 (the values the kernels multiply with).
void unpack_weight_row(float* row, const void* packed, WeightType type, int32_t r, int32_t cols);

// n values (n % 32 == 0) to n / 32 GGUF Q8_0 blocks, exactly as ggml's reference quantizer.
void quantize_q8_0(uint8_t* blocks, const float* x, int64_t n);
// n / 32 GGUF Q8_0 blocks to n values (d * q).
void dequantize_q8_0(float* x, const uint8_t* blocks, int64_t n);

}  // namespace cllm::cpu
