// Device-resident Jacobi state: the session length, the window, the block's state and its flags live
// at fixed device addresses, so one captured graph can be replayed for every iteration and every block
// (kernels read the window width and the position from here, never from launch arguments).
//
// The logic is plain C++ shared by the device kernels (jacobi.cu) and host tests, which check it
// against the backend-independent reference in native/src/jacobi.cpp (the CPU twin).
#pragma once

#include <cstdint>

#include "layout.hpp"

namespace cllm::cuda {

enum JacobiMode : int32_t {
  kJacobiForward = 0,  // a plain forward of `rows` tokens: nothing to accept
  kJacobiStep = 1,     // one iteration on a host-given window: accept the converged prefix
  kJacobiBlock = 2,    // a whole block (cllm_jacobi_block): shrinking window, fast-forward, flags
};

// Everything but the recorded states; copied to the host once per call.
struct JacobiCore {
  int32_t length;          // positions held in the KV cache
  int32_t rows;            // rows of the window the next forward processes
  int32_t mode;            // JacobiMode
  int32_t accepted;        // k of the last iteration
  int32_t n;               // block: tokens to produce
  int32_t max_iterations;  // block: iteration cap
  int32_t eos;             // block: end-of-sequence token, < 0 for none
  int32_t record_states;   // block: 1 to record every state
  int32_t produced_count;  // block: tokens produced so far
  int32_t iterations;      // block: forward passes run
  int32_t done;            // block: 1 when finished (all produced, EOS, or the cap)
  int32_t hit_eos;         // block: 1 when a produced token was EOS
  int32_t block_start;     // block: length when the block began
  int32_t reserved[3];
  int32_t window[kMaxRows];       // tokens of the next forward (window[0] = y0)
  int32_t predictions[kMaxRows];  // argmax of each row of the last forward
  int32_t state[kMaxRows];        // block: produced tokens, then the current guesses
  int32_t produced[kMaxRows];     // block: produced tokens
};

struct JacobiState {
  JacobiCore core;
  int32_t states[(kMaxRows + 1) * kMaxRows];  // block: state j at j * n (when record_states)
};

// Launch arguments of the kernel that starts every call (passed by value: no host buffer to race).
struct JacobiBegin {
  int32_t length;
  int32_t rows;            // forward/step: tokens; block: n
  int32_t mode;
  int32_t max_iterations;  // block
  int32_t eos;             // block
  int32_t record_states;   // block
  int32_t y0;              // block
  int32_t reserved;
  int32_t tokens[kMaxRows];  // forward/step: the window; block: the initial state
};

CLLM_HOST_DEVICE inline void jacobi_begin(JacobiCore& s, const JacobiBegin& b) {
  s.length = b.length;
  s.mode = b.mode;
  s.accepted = 0;
  s.iterations = 0;
  s.produced_count = 0;
  s.done = 0;
  s.hit_eos = 0;
  s.block_start = b.length;
  if (b.mode == kJacobiBlock) {
    s.n = b.rows;
    s.max_iterations = b.max_iterations;
    s.eos = b.eos;
    s.record_states = b.record_states;
    s.rows = b.rows;  // y0 and every guess but the last
    for (int32_t i = 0; i < b.rows; ++i) s.state[i] = b.tokens[i];
    s.window[0] = b.y0;
    for (int32_t i = 1; i < b.rows; ++i) s.window[i] = b.tokens[i - 1];
  } else {
    s.n = b.rows;
    s.max_iterations = 1;
    s.eos = -1;
    s.record_states = 0;
    s.rows = b.rows;
    for (int32_t i = 0; i < b.rows; ++i) s.window[i] = b.tokens[i];
  }
}

// After a forward of s.rows rows wrote s.predictions: accept the converged prefix (cllm.h), advance
// the length; in block mode also fast-forward the state, set the flags and build the next window.
CLLM_HOST_DEVICE inline void jacobi_update(JacobiCore& s) {
  const int32_t rows = s.rows;
  int32_t k = 1;
  while (k < rows && s.window[k] == s.predictions[k - 1]) ++k;
  s.accepted = k;
  s.length += k;  // rows 0..k-1 had correct inputs: their KV stays
  if (s.mode != kJacobiBlock) return;
  s.iterations += 1;
  // Row r predicted state position produced + r; the first k of them are final.
  for (int32_t r = 0; r < rows; ++r) s.state[s.produced_count + r] = s.predictions[r];
  for (int32_t i = 0; i < k; ++i) {
    const int32_t token = s.state[s.produced_count];
    s.produced[s.produced_count++] = token;
    if (token == s.eos) {
      s.hit_eos = 1;
      break;
    }
  }
  if (s.hit_eos) s.length = s.block_start + s.produced_count;  // drop the KV after the end of sequence
  s.done = (s.hit_eos || s.produced_count >= s.n || s.iterations >= s.max_iterations) ? 1 : 0;
  if (!s.done) {
    s.rows = s.n - s.produced_count;
    s.window[0] = s.produced[s.produced_count - 1];
    for (int32_t i = 1; i < s.rows; ++i) s.window[i] = s.state[s.produced_count + i - 1];
  }
}

}  // namespace cllm::cuda
