#include "sampling.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "backend.hpp"
#include "sampling_rng.hpp"

namespace cllm::sampling {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

void require(bool condition, const std::string& message) {
  if (!condition) throw Error(CLLM_ERR_INVALID_ARGUMENT, message);
}

// The reference argmax: if (row[c] > row[best]) best = c, so ties and NaN behave as in every backend's
// argmax kernel.
int32_t argmax(const float* row, int32_t vocab) {
  int32_t best = 0;
  for (int32_t c = 1; c < vocab; ++c) {
    if (row[c] > row[best]) best = c;
  }
  return best;
}

// Top-p over the tokens with z >= floor: the largest value v among them such that the tokens with
// z >= v hold at least top_p of their mass (ties at v all kept). Sums run in double over values sorted
// from the largest down, so the result is one fixed function of the row.
float top_p_threshold(const float* z, int32_t vocab, float floor, float max_z, double top_p, Scratch& scratch) {
  double total = 0;
  for (int32_t i = 0; i < vocab; ++i) {
    if (z[i] >= floor) total += double(std::exp(z[i] - max_z));
  }
  const double target = top_p * total;
  // Most rows put almost all their mass on a few tokens: when the tokens within a factor 1e-7 of the
  // maximum already hold the target mass, no token below them can be kept, so only they are sorted.
  const float near = std::max(floor, max_z - 16.118095651f);  // ln(1e7)
  double near_mass = 0;
  for (int32_t i = 0; i < vocab; ++i) {
    if (z[i] >= near) near_mass += double(std::exp(z[i] - max_z));
  }
  const float cut = near_mass >= target ? near : floor;
  std::vector<float>& c = scratch.candidates;
  c.clear();
  for (int32_t i = 0; i < vocab; ++i) {
    if (z[i] >= cut) c.push_back(z[i]);
  }
  std::sort(c.begin(), c.end(), std::greater<float>());
  double mass = 0;
  for (size_t i = 0; i < c.size();) {
    const float v = c[i];
    for (; i < c.size() && c[i] == v; ++i) mass += double(std::exp(v - max_z));
    if (mass >= target) return v;
  }
  return c.empty() ? floor : c.back();  // rounding kept the sum below the target: keep every candidate
}

}  // namespace

cllm_sampling greedy_settings() {
  cllm_sampling s{};
  s.temperature = 0;
  s.top_k = 0;
  s.top_p = 1;
  s.min_p = 0;
  s.repetition_penalty = 1;
  s.presence_penalty = 0;
  s.frequency_penalty = 0;
  s.penalty_from = 0;
  s.seed = 0;
  return s;
}

void validate(const cllm_sampling& s) {
  require(std::isfinite(s.temperature) && s.temperature >= 0,
          "sampling.temperature must be a finite number >= 0 (0: greedy), got " + std::to_string(s.temperature));
  require(s.top_k >= 0, "sampling.top_k must be >= 0 (0: off), got " + std::to_string(s.top_k));
  require(std::isfinite(s.top_p) && s.top_p > 0 && s.top_p <= 1,
          "sampling.top_p must be in (0, 1] (1: off), got " + std::to_string(s.top_p));
  require(std::isfinite(s.min_p) && s.min_p >= 0 && s.min_p <= 1,
          "sampling.min_p must be in [0, 1] (0: off), got " + std::to_string(s.min_p));
  require(
      std::isfinite(s.repetition_penalty) && s.repetition_penalty > 0,
      "sampling.repetition_penalty must be a finite number > 0 (1: off), got " + std::to_string(s.repetition_penalty));
  require(std::isfinite(s.presence_penalty), "sampling.presence_penalty must be finite");
  require(std::isfinite(s.frequency_penalty), "sampling.frequency_penalty must be finite");
  require(s.penalty_from >= 0, "sampling.penalty_from must be >= 0, got " + std::to_string(s.penalty_from));
}

bool has_penalties(const cllm_sampling& s) {
  return s.repetition_penalty != 1.0f || s.presence_penalty != 0.0f || s.frequency_penalty != 0.0f;
}

bool is_plain_greedy(const cllm_sampling& s) { return s.temperature == 0.0f && !has_penalties(s); }

void TokenCounts::resize(int32_t vocab) {
  counts_.assign(size_t(vocab), 0);
  distinct_.clear();
}

void TokenCounts::add(int32_t token) {
  if (counts_[size_t(token)]++ == 0) distinct_.push_back(token);
}

void TokenCounts::clear() {
  for (int32_t t : distinct_) counts_[size_t(t)] = 0;
  distinct_.clear();
}

void apply_penalties(float* row, const TokenCounts& counts, const cllm_sampling& s) {
  for (int32_t t : counts.distinct()) {
    float v = row[t];
    if (s.repetition_penalty != 1.0f) v = v > 0 ? v / s.repetition_penalty : v * s.repetition_penalty;
    v -= s.presence_penalty;
    v -= s.frequency_penalty * float(counts.count(t));
    row[t] = v;
  }
}

float keep_threshold(const float* z, int32_t vocab, const cllm_sampling& s, float max_z, Scratch& scratch) {
  float threshold = kNegInf;
  if (s.top_k > 0 && s.top_k < vocab) {
    std::vector<float>& c = scratch.candidates;
    c.assign(z, z + vocab);
    std::nth_element(c.begin(), c.begin() + (s.top_k - 1), c.end(), std::greater<float>());
    threshold = c[size_t(s.top_k - 1)];  // the k-th largest; ties with it are kept too
  }
  if (s.top_p < 1.0f) threshold = std::max(threshold, top_p_threshold(z, vocab, threshold, max_z, s.top_p, scratch));
  if (s.min_p > 0.0f) threshold = std::max(threshold, max_z + std::log(s.min_p));
  return threshold;
}

int32_t draw(const float* row, int32_t vocab, const cllm_sampling& s, int64_t position, Scratch& scratch) {
  if (!(s.temperature > 0.0f)) return argmax(row, vocab);
  std::vector<float>& z = scratch.z;
  z.resize(size_t(vocab));
  float max_z = kNegInf;
  for (int32_t i = 0; i < vocab; ++i) {
    const float v = row[i] / s.temperature;
    z[size_t(i)] = v == v ? v : kNegInf;  // NaN is never drawn
    max_z = std::max(max_z, z[size_t(i)]);
  }
  if (max_z == kNegInf || max_z == std::numeric_limits<float>::infinity()) return argmax(row, vocab);
  const float threshold = keep_threshold(z.data(), vocab, s, max_z, scratch);
  // Inverse CDF in index order over the kept tokens: the first whose running mass exceeds u * total.
  double total = 0;
  for (int32_t i = 0; i < vocab; ++i) {
    if (z[size_t(i)] >= threshold) total += double(std::exp(z[size_t(i)] - max_z));
  }
  const double target = sampling_uniform(s.seed, position) * total;
  double mass = 0;
  int32_t last = -1;
  for (int32_t i = 0; i < vocab; ++i) {
    if (z[size_t(i)] < threshold) continue;
    mass += double(std::exp(z[size_t(i)] - max_z));
    last = i;
    if (mass > target) return i;
  }
  return last >= 0 ? last : argmax(row, vocab);  // rounding left the target unreached: the last kept token
}

SessionSampler::SessionSampler(int32_t capacity, int32_t vocab)
    : settings_(greedy_settings()), vocab_(vocab), tokens_(size_t(capacity), 0) {}

void SessionSampler::set(const cllm_sampling* s) {
  settings_ = s ? *s : greedy_settings();
  plain_greedy_ = is_plain_greedy(settings_);
  if (has_penalties(settings_)) {
    counts_.resize(vocab_);
  } else {
    counts_ = TokenCounts();
  }
}

void SessionSampler::record(int32_t first, const int32_t* tokens, int32_t n) {
  std::copy(tokens, tokens + n, tokens_.begin() + first);
}

void SessionSampler::predict(float* logits, int32_t rows, int32_t first, int32_t* out) {
  const bool penalties = has_penalties(settings_);
  if (penalties) {
    counts_.clear();
    for (int32_t p = settings_.penalty_from; p < first; ++p) counts_.add(tokens_[size_t(p)]);
  }
  for (int32_t r = 0; r < rows; ++r) {
    float* row = logits + int64_t(r) * vocab_;
    const int32_t input = first + r;  // the history of this row runs through its own input
    if (penalties) {
      if (input >= settings_.penalty_from) counts_.add(tokens_[size_t(input)]);
      apply_penalties(row, counts_, settings_);
    }
    out[r] = draw(row, vocab_, settings_, int64_t(input) + 1, scratch_);
  }
}

}  // namespace cllm::sampling
