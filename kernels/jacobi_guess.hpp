// The guess rule for Jacobi windows (cllm.h, "guess rule"): a fresh guess for the token at an absolute
// position is a pure function of (rule, position, history), with no generator state carried between
// calls. So the CPU backend, the CUDA kernels and Java's per-iteration decoder (InitialGuess.java, which
// implements the same formula) compute the same window whoever builds it and however a generation is
// cut into native calls.
//
// Plain C++ (no CUDA headers): included by native/src/jacobi.cpp, by kernels/jacobi_state.hpp and by
// host-only tests.
#pragma once

#include <cstdint>

#include "layout.hpp"

namespace cllm {

// Values of cllm.h's CLLM_GUESS_* (jacobi.cpp checks they agree).
constexpr int32_t kGuessRandom = 0;  // a history token picked by a hash of (seed, position)
constexpr int32_t kGuessLast = 1;    // the last history token
constexpr int32_t kGuessPad = 2;     // a fixed token

// splitmix64's finaliser over seed + golden-ratio increment * (position + 1): consecutive positions
// give unrelated values, and the same (seed, position) always gives the same value.
CLLM_HOST_DEVICE inline uint64_t guess_hash(uint64_t seed, int64_t position) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * uint64_t(position + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The guess for the token at `position`; history[0..history_length) is the known sequence
// (history_length >= 1 for RANDOM and LAST).
CLLM_HOST_DEVICE inline int32_t guess_token(int32_t kind, uint64_t seed, int32_t pad_token, int64_t position,
                                            const int32_t* history, int32_t history_length) {
  if (kind == kGuessPad) return pad_token;
  if (kind == kGuessLast) return history[history_length - 1];
  return history[guess_hash(seed, position) % uint64_t(history_length)];
}

}  // namespace cllm
