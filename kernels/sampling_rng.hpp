// The counter-based random numbers of lossless sampling (cllm.h, "Sampling"): the uniform draw for
// the token at an absolute position is a pure function of (seed, position). No generator state is
// carried from one token to the next, so AR decoding, Jacobi decoding (which predicts a position many
// times, from different windows) and a batched step all draw the same number for the same position.
//
// Plain C++ (no CUDA headers): included by native/src/sampling.cpp (the CPU sampler), by the CUDA
// sampling kernel and by host-only tests.
#pragma once

#include <cstdint>

#include "layout.hpp"

namespace cllm {

// splitmix64's finaliser: a bijection of 64-bit values whose outputs look independent.
CLLM_HOST_DEVICE inline uint64_t sampling_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// 64 random bits for (seed, position). The seed is mixed with a constant of its own first, so the
// stream differs from that of the Jacobi guess rule, which hashes (seed, position) too.
CLLM_HOST_DEVICE inline uint64_t sampling_bits(uint64_t seed, int64_t position) {
  const uint64_t key = sampling_mix(seed ^ 0x5A3C96E1D2B4F078ull);
  return sampling_mix(key + 0x9E3779B97F4A7C15ull * uint64_t(position + 1));
}

// A uniform double in [0, 1) with 53 random bits.
CLLM_HOST_DEVICE inline double sampling_uniform(uint64_t seed, int64_t position) {
  return double(sampling_bits(seed, position) >> 11) * (1.0 / 9007199254740992.0);
}

}  // namespace cllm
