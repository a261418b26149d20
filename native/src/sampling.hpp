// Lossless sampling (cllm.h, "Sampling"): the token predicted for an absolute position is a pure
// function of (settings, seed, position, the row's logits, the token history). Jacobi decoding checks a
// guess at position t against exactly what AR decoding would draw there, so its fixed point equals AR's
// sampled output token for token, as with greedy argmax.
//
// This is the CPU implementation and the reference (twin) of the CUDA sampling kernel: plain scalar
// C++, the same on every ISA, so a row's token never depends on the kernels chosen at run time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cllm/cllm.h"

namespace cllm::sampling {

// Throws cllm::Error (INVALID_ARGUMENT) naming the field when a setting is out of range.
void validate(const cllm_sampling& s);

// Temperature 0 and no penalty: the plain argmax, which backends run with their own argmax kernel.
bool is_plain_greedy(const cllm_sampling& s);
bool has_penalties(const cllm_sampling& s);

// Occurrences of tokens over a stretch of the history, and the distinct tokens seen (so penalties and
// clearing touch only those).
class TokenCounts {
 public:
  void resize(int32_t vocab);
  void add(int32_t token);
  void clear();
  int32_t count(int32_t token) const { return counts_[size_t(token)]; }
  const std::vector<int32_t>& distinct() const { return distinct_; }

 private:
  std::vector<int32_t> counts_;
  std::vector<int32_t> distinct_;
};

// Applies s's repetition, presence and frequency penalties to a logits row in place.
void apply_penalties(float* row, const TokenCounts& counts, const cllm_sampling& s);

// Reused buffers, so drawing allocates nothing after the first rows.
struct Scratch {
  std::vector<float> z;           // scaled logits
  std::vector<float> candidates;  // values sorted for top-k / top-p
};

// The token for `position` from a logits row that already carries the penalties: with temperature 0
// the argmax (ties to the lowest index, NaN as in the argmax kernels); otherwise the inverse-CDF draw
// with u = sampling_uniform(seed, position) over the tokens that top-k, top-p and min-p keep.
int32_t draw(const float* row, int32_t vocab, const cllm_sampling& s, int64_t position, Scratch& scratch);

// The smallest scaled logit a token may have to be kept by top-k, top-p and min-p (-inf when none
// filters), given the scaled logits z and their maximum. Exposed for tests.
float keep_threshold(const float* z, int32_t vocab, const cllm_sampling& s, float max_z, Scratch& scratch);

// A session's sampling: its settings and the tokens at every cached position (penalties look back at
// them). Backends record every forwarded token and call predict for the rows whose next token they need.
class SessionSampler {
 public:
  SessionSampler(int32_t capacity, int32_t vocab);
  void set(const cllm_sampling* s);  // nullptr: greedy
  const cllm_sampling& settings() const { return settings_; }
  bool plain_greedy() const { return plain_greedy_; }
  // tokens[0..n) were forwarded at positions first..first+n-1.
  void record(int32_t first, const int32_t* tokens, int32_t n);
  // logits[rows][vocab] are the rows of inputs at positions first..first+rows-1; out[r] becomes the
  // token predicted for position first + r + 1 (the history for row r runs through position first + r).
  // Rows are modified in place when penalties apply.
  void predict(float* logits, int32_t rows, int32_t first, int32_t* out);

 private:
  cllm_sampling settings_;
  bool plain_greedy_ = true;
  int32_t vocab_;
  std::vector<int32_t> tokens_;  // by position
  TokenCounts counts_;
  Scratch scratch_;
};

// cllm_sampling with every filter off and temperature 0 (greedy).
cllm_sampling greedy_settings();

}  // namespace cllm::sampling
