// Rotary angles, shared by the RoPE/KV kernel, the per-position table (CLLM_CUDA_ROPE_TABLE) and the
// host test. The angle of pair i at a position is rounded to float exactly as the CPU twin
// (cpu::rope_table) and Hugging Face round it: float(position) * inv_freq[i], inv_freq[i] =
// float(theta^(-2i/head_dim)) computed in double. Its cosine and sine are then taken in double and
// rounded to float (the plain kernel does this per pair per head per row; the table does it once per
// session for every position and pair, with the same code, so both give the same bits).
// Plain C++ so the host test checks the index and the agreement with the CPU twin.
#pragma once

#include <cmath>
#include <cstdint>

#include "layout.hpp"

namespace cllm::cuda {

// Inverse frequency of pair i (host side: the model uploads these).
inline float rope_inv_freq(int32_t i, int32_t head_dim, float theta) {
  return float(1.0 / std::pow(double(theta), double(2 * i) / double(head_dim)));
}

CLLM_HOST_DEVICE inline float rope_angle(int32_t position, float inv_freq) { return float(position) * inv_freq; }

// Table layout: one (cos, sin) pair of floats per (position, pair), positions outermost, so one row's
// pairs are contiguous: [capacity][head_dim / 2][2].
CLLM_HOST_DEVICE constexpr int64_t rope_table_index(int32_t position, int32_t pair, int32_t half) {
  return int64_t(position) * half + pair;
}

// The table entry as the host computes it (the reference for the device fill in the tests).
inline void rope_cos_sin_host(int32_t position, float inv_freq, float* cos_value, float* sin_value) {
  const double angle = double(rope_angle(position, inv_freq));
  *cos_value = float(std::cos(angle));
  *sin_value = float(std::sin(angle));
}

}  // namespace cllm::cuda
