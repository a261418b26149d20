// Device-resident Jacobi state: the session length, the window, the block's state and its flags live
// at fixed device addresses, so one captured graph can be replayed for every iteration, every block and
// every refill run (kernels read the window width and the position from here, never from launch
// arguments; the mode decides what the update after each forward does).
//
// The logic is plain C++ shared by the device kernels (jacobi.cu) and host tests, which check it
// against the backend-independent reference in native/src/jacobi.cpp (the CPU twin).
#pragma once

#include <cstdint>

#include "jacobi_guess.hpp"
#include "layout.hpp"

namespace cllm::cuda {

enum JacobiMode : int32_t {
  kJacobiForward = 0,  // a plain forward of `rows` tokens: nothing to accept
  kJacobiStep = 1,     // one iteration on a host-given window: accept the converged prefix
  kJacobiBlock = 2,    // a whole block (cllm_jacobi_block): shrinking window, fast-forward, flags
  kJacobiRun = 3,      // refill iterations (cllm_jacobi_run): commit, rebuild the window with fresh guesses
};

// Everything but the recorded states; copied to the host once per call. All int32 words, and begin
// defines every one of them (no leftover values from an earlier call or kernel).
struct JacobiCore {
  int32_t length;          // positions held in the KV cache
  int32_t rows;            // rows of the window the next forward processes
  int32_t mode;            // JacobiMode
  int32_t accepted;        // k of the last iteration
  int32_t n;               // block: tokens to produce; run: window width
  int32_t max_iterations;  // block: iteration cap; run: iterations of this launch at most
  int32_t eos;             // block, run: end-of-sequence token, < 0 for none
  int32_t record_states;   // block: record every state; run: record every iteration's predictions
  int32_t produced_count;  // block: tokens produced; run: tokens committed by this launch
  int32_t iterations;      // block, run: forward passes run
  int32_t done;            // block, run: 1 when finished
  int32_t hit_eos;         // block, run: 1 when a produced token was EOS
  int32_t block_start;     // length when the call began
  int32_t max_tokens;      // run: tokens this launch may commit
  int32_t capacity;        // run: KV cache positions (the window narrows to fit)
  int32_t history_length;  // run: tokens in the history buffer (each commit appends to it)
  int32_t guess_kind;      // run: CLLM_GUESS_* (jacobi_guess.hpp)
  int32_t pad_token;       // run
  uint32_t seed_low;       // run: guess seed, low and high 32 bits
  uint32_t seed_high;
  int32_t fresh_from;  // run: window slots [fresh_from, n) still need a fresh guess
  int32_t reserved[3];
  int32_t window[kMaxRows];       // tokens of the next forward (window[0] = y0)
  int32_t predictions[kMaxRows];  // argmax of each row of the last forward
  int32_t state[kMaxRows];        // block: produced tokens, then the current guesses
  int32_t produced[kMaxRows];     // block: produced tokens
  int32_t prior[kMaxRows];        // block: the state before the previous iteration (-1: none);
                                  // run: the previous window aligned to this one (cllm.h, -1: none)
};

struct JacobiState {
  JacobiCore core;
  // block: state j at j * n (when record_states); run: iteration j's predictions at j * n, then -1
  // up to n (when record_states), which caps a recorded launch at kStateWords / n iterations.
  int32_t states[(kMaxRows + 1) * kMaxRows];
};
constexpr int32_t kStateWords = (kMaxRows + 1) * kMaxRows;

// Device arrays outside the state that the update writes; nullptr where a mode does not use them.
struct JacobiBuffers {
  int32_t* history;     // run: the known sequence; committed tokens are appended at history_length
  int32_t* accepted;    // block, run: tokens committed by each iteration of the call (launch)
  int32_t* stationary;  // block, run: stationary tokens of each iteration
  int32_t* trace;       // run with record_states: JacobiState::states
};

// Launch arguments of the kernel that starts every call (passed by value: no host buffer to race).
struct JacobiBegin {
  int32_t length;
  int32_t rows;  // forward/step: tokens; block, run: n
  int32_t mode;
  int32_t max_iterations;  // block, run
  int32_t eos;             // block, run
  int32_t record_states;   // block, run
  int32_t y0;              // block
  int32_t max_tokens;      // run
  int32_t capacity;        // run
  int32_t history_length;  // run
  int32_t guess_kind;      // run
  int32_t pad_token;       // run
  uint32_t seed_low;       // run
  uint32_t seed_high;      // run
  int32_t reserved[2];
  int32_t tokens[kMaxRows];  // forward/step/run: the window; block: the initial state
  int32_t prior[kMaxRows];   // run
};

CLLM_HOST_DEVICE inline int32_t min_of(int32_t a, int32_t b) { return a < b ? a : b; }

// Starts a call on a core whose every word is zero (the kernel zeroes it with all its threads first).
CLLM_HOST_DEVICE inline void jacobi_start(JacobiCore& s, const JacobiBegin& b) {
  s.length = b.length;
  s.mode = b.mode;
  s.block_start = b.length;
  s.n = b.rows;
  s.rows = b.rows;
  s.max_iterations = 1;
  s.eos = -1;
  s.fresh_from = b.rows;
  if (b.mode == kJacobiBlock) {
    s.max_iterations = b.max_iterations;
    s.eos = b.eos;
    s.record_states = b.record_states;
    for (int32_t i = 0; i < b.rows; ++i) s.state[i] = b.tokens[i];
    for (int32_t i = 0; i < b.rows; ++i) s.prior[i] = -1;
    s.window[0] = b.y0;  // y0 and every guess but the last
    for (int32_t i = 1; i < b.rows; ++i) s.window[i] = b.tokens[i - 1];
  } else if (b.mode == kJacobiRun) {
    s.max_iterations = b.max_iterations;
    s.eos = b.eos;
    s.record_states = b.record_states;
    s.max_tokens = b.max_tokens;
    s.capacity = b.capacity;
    s.history_length = b.history_length;
    s.guess_kind = b.guess_kind;
    s.pad_token = b.pad_token;
    s.seed_low = b.seed_low;
    s.seed_high = b.seed_high;
    for (int32_t i = 0; i < b.rows; ++i) s.window[i] = b.tokens[i];
    for (int32_t i = 0; i < b.rows; ++i) s.prior[i] = b.prior[i];
    s.rows = min_of(b.rows, min_of(b.max_tokens, b.capacity - b.length));
  } else {
    for (int32_t i = 0; i < b.rows; ++i) s.window[i] = b.tokens[i];
  }
}

// The whole start of a call from any previous content (host side).
CLLM_HOST_DEVICE inline void jacobi_begin(JacobiCore& s, const JacobiBegin& b) {
  s = JacobiCore{};
  jacobi_start(s, b);
}

// How many of the k new tokens p(0..k-1) are kept: all, or up to and including the first EOS.
CLLM_HOST_DEVICE inline int32_t jacobi_taken(JacobiCore& s, int32_t k) {
  for (int32_t i = 0; i < k; ++i) {
    if (s.predictions[i] == s.eos) {
      s.hit_eos = 1;
      return i + 1;
    }
  }
  return k;
}

CLLM_HOST_DEVICE inline void jacobi_block_update(JacobiCore& s, const JacobiBuffers& b, int32_t k) {
  const int32_t rows = s.rows, iteration = s.iterations;
  s.iterations += 1;
  const int32_t taken = jacobi_taken(s, k);
  // Window row i holds state position produced + i - 1.
  int32_t still = 0;
  for (int32_t i = 1; i < taken; ++i) still += s.prior[s.produced_count + i - 1] == s.window[i] ? 1 : 0;
  if (b.accepted) b.accepted[iteration] = taken;
  if (b.stationary) b.stationary[iteration] = still;
  for (int32_t r = 0; r < s.n; ++r) s.prior[r] = s.state[r];
  // Row r predicted state position produced + r; the first `taken` of them are final.
  for (int32_t r = 0; r < rows; ++r) s.state[s.produced_count + r] = s.predictions[r];
  for (int32_t i = 0; i < taken; ++i) s.produced[s.produced_count++] = s.predictions[i];
  if (s.hit_eos) s.length = s.block_start + s.produced_count;  // drop the KV after the end of sequence
  s.done = (s.hit_eos || s.produced_count >= s.n || s.iterations >= s.max_iterations) ? 1 : 0;
  if (!s.done) {
    s.rows = s.n - s.produced_count;
    s.window[0] = s.produced[s.produced_count - 1];
    for (int32_t i = 1; i < s.rows; ++i) s.window[i] = s.state[s.produced_count + i - 1];
  }
}

// Refill: commit, count, record, then the next window except its fresh guesses (jacobi_fill_guess).
CLLM_HOST_DEVICE inline void jacobi_run_update(JacobiCore& s, const JacobiBuffers& b, int32_t k) {
  const int32_t rows = s.rows, n = s.n, iteration = s.iterations;
  s.iterations += 1;
  const int32_t taken = jacobi_taken(s, k);
  int32_t still = 0;
  for (int32_t i = 1; i < taken; ++i) still += s.prior[i] == s.window[i] ? 1 : 0;
  b.accepted[iteration] = taken;
  b.stationary[iteration] = still;
  if (s.record_states) {
    int32_t* row = b.trace + iteration * n;
    for (int32_t r = 0; r < n; ++r) row[r] = r < rows ? s.predictions[r] : -1;
  }
  for (int32_t i = 0; i < taken; ++i) b.history[s.history_length++] = s.predictions[i];
  s.produced_count += taken;
  if (s.hit_eos) {
    s.length = s.block_start + s.produced_count;  // drop the KV after the end of sequence
    s.done = 1;
    s.fresh_from = n;  // the window stays as it was
    return;
  }
  // The next window starts k positions later: what this window held there becomes the prior.
  for (int32_t i = 0; i < n; ++i) s.prior[i] = i + k < n ? s.window[i + k] : -1;
  const int32_t carried = rows - k + 1;  // p(k-1) (the next y0), then the predictions beyond it
  for (int32_t i = 0; i < carried; ++i) s.window[i] = s.predictions[k - 1 + i];
  s.fresh_from = carried;
  const int32_t left = s.max_tokens - s.produced_count, room = s.capacity - s.length;
  s.done = (left <= 0 || room <= 0 || s.iterations >= s.max_iterations) ? 1 : 0;
  if (!s.done) s.rows = min_of(n, min_of(left, room));
}

// After a forward of s.rows rows wrote s.predictions: accept the converged prefix (cllm.h), advance
// the length; in block and run modes also commit, count, set the flags and build the next window.
// Run mode leaves the fresh guesses to jacobi_fill_guess (one slot per thread on the device).
CLLM_HOST_DEVICE inline void jacobi_accept(JacobiCore& s, const JacobiBuffers& b) {
  const int32_t rows = s.rows;
  int32_t k = 1;
  while (k < rows && s.window[k] == s.predictions[k - 1]) ++k;
  s.accepted = k;
  s.length += k;  // rows 0..k-1 had correct inputs: their KV stays
  if (s.mode == kJacobiBlock) jacobi_block_update(s, b, k);
  if (s.mode == kJacobiRun) jacobi_run_update(s, b, k);
}

// Run mode, after jacobi_accept: the fresh guess for window slot i (fresh_from <= i < n). Slots are
// independent of each other.
CLLM_HOST_DEVICE inline void jacobi_fill_guess(JacobiCore& s, const int32_t* history, int32_t i) {
  const uint64_t seed = (uint64_t(s.seed_high) << 32) | uint64_t(s.seed_low);
  s.window[i] = guess_token(s.guess_kind, seed, s.pad_token, int64_t(s.length) + i, history, s.history_length);
}

// jacobi_accept and the fresh guesses, one after the other (host side and tests).
CLLM_HOST_DEVICE inline void jacobi_update(JacobiCore& s, const JacobiBuffers& b = JacobiBuffers{}) {
  jacobi_accept(s, b);
  if (s.mode == kJacobiRun && !s.hit_eos) {
    for (int32_t i = s.fresh_from; i < s.n; ++i) jacobi_fill_guess(s, b.history, i);
  }
}

}  // namespace cllm::cuda
