// Host-side checks of the CUDA backend's index logic, runnable without a GPU:
//   - the block GEMM's 16-byte loads fed to mma.sync m16n8k16, emulated with the PTX ISA's fragment
//     layout, compute exactly x w^T (the k permutation is consistent between A and B);
//   - the GEMM epilogue's reduction visits every (token, output row) of a tile exactly once;
//   - the device Jacobi logic (kernels/jacobi_state.hpp) reproduces the backend-independent reference
//     (native/src/jacobi.cpp) on a deterministic causal fake model: for blocks, produced tokens,
//     iteration counts, per-iteration accepted and stationary counts, recorded states and cache
//     lengths, with and without EOS and iteration caps; for refill runs, committed tokens, counts,
//     recorded predictions, the next window and prior, and cache lengths, with EOS, token limits, a
//     full cache, every guess rule, and launches cut short by an iteration cap and continued as the
//     CUDA session continues them; the reference itself commits the fake model's greedy output;
//   - the guess rule's hash on fixed values (Java's InitialGuess pins the same ones);
//   - the padding and attention-split rules;
//   - the index logic of the speed switches (cuda_switch_logic_checks.hpp).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "backend.hpp"
#include "cuda_switch_logic_checks.hpp"
#include "gemm_fragments.hpp"
#include "jacobi_guess.hpp"
#include "jacobi_state.hpp"
#include "layout.hpp"
#include "test_checks.hpp"

namespace {

using cllm::testing::checks;
using cllm::testing::expect;
using cllm::testing::failures;

void expect(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "FAIL: %s\n", what);
    ++failures;
  }
}

// bf16 bits of a small integer (exact).
uint16_t bf16_of_int(int v) { return cllm::float_to_bf16(float(v)); }
float value_of(uint16_t bits) { return cllm::bf16_to_float(bits); }

// Four 32-bit words of 8 consecutive bf16 (low half = lower index), as a 16-byte load delivers them.
void load16(const std::vector<uint16_t>& row_major, int ld, int row, int col, uint32_t words[4]) {
  for (int i = 0; i < 4; ++i) {
    const uint32_t lo = row_major[size_t(row) * ld + col + 2 * i];
    const uint32_t hi = row_major[size_t(row) * ld + col + 2 * i + 1];
    words[i] = lo | (hi << 16);
  }
}

float half_of(uint32_t word, int half) { return value_of(uint16_t(half ? word >> 16 : word & 0xffffu)); }

void test_mma_fragments() {
  using namespace cllm::cuda;
  const int K = 2 * kGemmK;  // two chunks
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> small(-8, 8);
  std::vector<uint16_t> w(16 * K), x(8 * K);
  for (auto& v : w) v = bf16_of_int(small(rng));
  for (auto& v : x) v = bf16_of_int(small(rng));
  double d[16][8] = {};
  for (int chunk = 0; chunk < K / kGemmK; ++chunk) {
    for (int step = 0; step < 2; ++step) {
      double a[16][16], b[16][8];
      int a_seen[16][16] = {}, b_seen[16][8] = {};
      for (int lane = 0; lane < 32; ++lane) {
        const int g = lane / 4, t = lane % 4, k0 = chunk * kGemmK + 8 * t;
        uint32_t lo[4], hi[4], xw[4], ar[4], br[2];
        load16(w, K, g, k0, lo);
        load16(w, K, g + 8, k0, hi);
        load16(x, K, g, k0, xw);
        mma_a_fragment(lo, hi, step, ar);
        mma_b_fragment(xw, step, br);
        for (int i = 0; i < 8; ++i) {
          const int r = mma_a_row(lane, i), c = mma_a_col(lane, i);
          a[r][c] = half_of(ar[i / 2], i % 2);
          ++a_seen[r][c];
        }
        for (int i = 0; i < 4; ++i) {
          const int r = mma_b_row(lane, i), c = mma_b_col(lane, i);
          b[r][c] = half_of(br[i / 2], i % 2);
          ++b_seen[r][c];
        }
      }
      bool complete = true;
      for (int r = 0; r < 16; ++r) {
        for (int c = 0; c < 16; ++c) complete &= a_seen[r][c] == 1;
        for (int c = 0; c < 8; ++c) complete &= b_seen[r][c] == 1;
      }
      expect(complete, "every A and B element of an MMA step is held by exactly one lane");
      for (int m = 0; m < 16; ++m) {
        for (int n = 0; n < 8; ++n) {
          for (int k = 0; k < 16; ++k) d[m][n] += a[m][k] * b[k][n];
        }
      }
    }
  }
  bool exact = true;
  for (int m = 0; m < 16; ++m) {
    for (int n = 0; n < 8; ++n) {
      double reference = 0;
      for (int k = 0; k < K; ++k) reference += double(value_of(w[size_t(m) * K + k])) * value_of(x[size_t(n) * K + k]);
      exact &= d[m][n] == reference;
    }
  }
  expect(exact, "MMA fed from 16-byte loads computes x w^T exactly");
  // The accumulator layout the epilogue assumes: element e is (row g + 8*(e/2), token 2t + e%2).
  bool layout = true;
  for (int lane = 0; lane < 32; ++lane) {
    for (int e = 0; e < 4; ++e) {
      layout &= mma_c_row(lane, e) == lane / 4 + 8 * (e / 2) && mma_c_col(lane, e) == 2 * (lane % 4) + e % 2;
    }
  }
  expect(layout, "accumulator layout matches the epilogue");
  // The epilogue's walk over u = 0 .. NT*64 covers each (token, row g) of a tile once.
  for (int nt : {1, 2, 4, 8}) {
    std::vector<int> seen(size_t(nt) * 8 * 8, 0);
    for (int u = 0; u < nt * 64; ++u) {
      const int j = u / 64, src_lane = (u % 64) / 2, second = u % 2;
      const int token = j * 8 + 2 * (src_lane % 4) + second, row = src_lane / 4;
      ++seen[size_t(token) * 8 + size_t(row)];
    }
    bool once = true;
    for (int s : seen) once &= s == 1;
    expect(once, "GEMM epilogue visits every (token, row) once");
  }
}

void test_layout_rules() {
  using namespace cllm::cuda;
  for (int32_t hidden : {1, 7, 8, 9, 1003, 5632, 11008}) {
    const int32_t padded = swiglu_hidden_padded(hidden);
    std::vector<int> seen(size_t(2 * padded), 0);
    for (int32_t j = 0; j < padded; ++j) {
      ++seen[size_t(swiglu_gate_row(j))];
      ++seen[size_t(swiglu_up_row(j))];
      if (swiglu_up_row(j) != swiglu_gate_row(j) + 8) expect(false, "up row is 8 below its gate row");
    }
    bool bijective = true;
    for (int s : seen) bijective &= s == 1;
    expect(bijective, "gate/up interleaving fills 2 * padded hidden rows once each");
  }
  for (int32_t capacity : {1, 31, 256, 257, 4096, 16384, 16385, 100000, 1 << 29}) {
    const int32_t chunk = attention_chunk(capacity), splits = attention_splits(capacity);
    expect(chunk % kAttentionTile == 0, "attention chunk is a multiple of the tile");
    expect(splits >= 1 && splits <= kAttentionMaxSplits, "attention splits within the limit");
    expect(int64_t(chunk) * splits >= capacity, "attention splits cover the capacity");
  }
  expect(gemm_ld(1003) == 1024 && gemm_ld(4096) == 4096 && gemm_rows_padded(517) == 528, "padding rules");
}

// A deterministic causal "model": the prediction for position p depends on the tokens at p and p-1.
// Mostly a fixed successor function (so Jacobi guesses converge in interesting ways), sometimes not.
struct FakeModel {
  int32_t vocab;
  int32_t predict(const std::vector<int32_t>& sequence, int32_t position) const {
    const int32_t current = sequence[size_t(position)];
    const int32_t previous = position > 0 ? sequence[size_t(position - 1)] : 0;
    if ((current + previous) % 5 == 0) return (current * 7 + previous + position) % vocab;
    return (current + 1) % vocab;
  }
};

class FakeSession final : public cllm::SessionBackend {
 public:
  FakeSession(FakeModel model, int32_t capacity) : model_(model), sequence_(size_t(capacity), 0) {}
  int32_t length() const override { return length_; }
  int32_t capacity() const override { return int32_t(sequence_.size()); }
  void forward(const int32_t*, int32_t, float*) override { throw std::runtime_error("unused"); }
  void forward_argmax(const int32_t* tokens, int32_t n, int32_t* predictions) override {
    for (int32_t r = 0; r < n; ++r) sequence_[size_t(length_ + r)] = tokens[r];
    for (int32_t r = 0; r < n; ++r) predictions[r] = model_.predict(sequence_, length_ + r);
    length_ += n;
  }
  void truncate(int32_t length) override { length_ = length; }

 private:
  FakeModel model_;
  std::vector<int32_t> sequence_;
  int32_t length_ = 0;
};

// The device logic driven on the host: begin, then (forward of core.rows rows at core.length, update)
// until done, recording states as the kernels do.
struct DeviceEmulation {
  FakeModel model;
  std::vector<int32_t> sequence;
  cllm::cuda::JacobiState state{};
  std::vector<int32_t> history, accepted, stationary;

  cllm::cuda::JacobiBuffers buffers() {
    cllm::cuda::JacobiBuffers b{};
    b.history = history.data();
    b.accepted = accepted.data();
    b.stationary = stationary.data();
    b.trace = state.states;
    return b;
  }

  void forward_rows() {
    cllm::cuda::JacobiCore& c = state.core;
    for (int32_t r = 0; r < c.rows; ++r) sequence[size_t(c.length + r)] = c.window[r];
    for (int32_t r = 0; r < c.rows; ++r) c.predictions[r] = model.predict(sequence, c.length + r);
  }
  void record() {
    const cllm::cuda::JacobiCore& c = state.core;
    if (c.mode == cllm::cuda::kJacobiBlock && c.record_states) {
      for (int32_t j = 0; j < c.n; ++j) state.states[size_t(c.iterations) * size_t(c.n) + size_t(j)] = c.state[j];
    }
  }
};

void test_jacobi_logic() {
  using namespace cllm::cuda;
  std::mt19937 rng(17);
  const FakeModel model{23};
  int cases = 0, mismatches = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const int32_t n = 1 + int32_t(rng() % 24);
    const int32_t max_iterations = 1 + int32_t(rng() % (n + 2));
    const int32_t eos = (rng() % 3 == 0) ? -1 : int32_t(rng() % model.vocab);
    const int32_t prefix = 1 + int32_t(rng() % 10);
    std::vector<int32_t> prompt(static_cast<size_t>(prefix));
    for (auto& t : prompt) t = int32_t(rng() % model.vocab);
    std::vector<int32_t> init(static_cast<size_t>(n));
    for (auto& t : init) t = int32_t(rng() % model.vocab);
    const int32_t y0 = int32_t(rng() % model.vocab);
    const int32_t capacity = prefix + n + 4;

    // Reference: the generic block on the fake session.
    FakeSession reference(model, capacity);
    std::vector<int32_t> predictions(static_cast<size_t>(prefix));
    reference.forward_argmax(prompt.data(), prefix, predictions.data());
    std::vector<int32_t> ref_produced(size_t(n), -1), ref_states(size_t(max_iterations + 1) * size_t(n), -1);
    std::vector<int32_t> ref_accepted(size_t(n), -1), ref_stationary(size_t(n), -1);
    const auto ref = reference.jacobi_block(y0, init.data(), n, max_iterations, eos, ref_produced.data(),
                                            ref_accepted.data(), ref_stationary.data(), ref_states.data());

    // Device logic: the same prompt in the emulated cache, then begin + update until done.
    DeviceEmulation device{model, std::vector<int32_t>(size_t(capacity), 0), {},
                           {},    std::vector<int32_t>(size_t(n), -1),       std::vector<int32_t>(size_t(n), -1)};
    for (int32_t i = 0; i < prefix; ++i) device.sequence[size_t(i)] = prompt[size_t(i)];
    JacobiBegin b{};
    b.length = prefix;
    b.rows = n;
    b.mode = kJacobiBlock;
    b.max_iterations = std::min(max_iterations, n);  // as the session clamps it
    b.eos = eos;
    b.record_states = 1;
    b.y0 = y0;
    for (int32_t i = 0; i < n; ++i) b.tokens[i] = init[size_t(i)];
    jacobi_begin(device.state.core, b);
    device.record();
    int guard = 0;
    while (!device.state.core.done && guard++ < 100) {
      device.forward_rows();
      jacobi_update(device.state.core, device.buffers());
      device.record();
    }
    const JacobiCore& c = device.state.core;
    bool same = c.produced_count == ref.produced && c.iterations == ref.iterations && c.length == reference.length();
    for (int32_t i = 0; same && i < ref.produced; ++i) same = c.produced[i] == ref_produced[size_t(i)];
    for (int32_t i = 0; same && i < (ref.iterations + 1) * n; ++i)
      same = device.state.states[i] == ref_states[size_t(i)];
    int32_t counted = 0;
    for (int32_t j = 0; same && j < ref.iterations; ++j) {
      same = device.accepted[size_t(j)] == ref_accepted[size_t(j)] &&
             device.stationary[size_t(j)] == ref_stationary[size_t(j)];
      counted += ref_accepted[size_t(j)];
      if (ref_stationary[size_t(j)] > ref_accepted[size_t(j)] - 1) same = false;
    }
    if (counted != ref.produced) same = false;
    ++cases;
    if (!same) ++mismatches;
  }
  std::printf("jacobi block logic: %d cases, %d mismatches\n", cases, mismatches);
  expect(mismatches == 0, "device Jacobi block logic equals the reference");

  // Single steps.
  int step_mismatches = 0;
  for (int trial = 0; trial < 1000; ++trial) {
    const int32_t n = 1 + int32_t(rng() % 40);
    std::vector<int32_t> window(static_cast<size_t>(n));
    for (auto& t : window) t = int32_t(rng() % model.vocab);
    if (rng() % 2) {  // make a prefix of the guesses right
      for (int32_t i = 1; i < n; ++i) window[size_t(i)] = (window[size_t(i - 1)] + 1) % model.vocab;
    }
    FakeSession reference(model, n + 8);
    std::vector<int32_t> ref_predictions(static_cast<size_t>(n));
    const int32_t k = reference.jacobi_step(window.data(), n, ref_predictions.data());
    DeviceEmulation device{model, std::vector<int32_t>(size_t(n + 8), 0), {}, {}, {}, {}};
    JacobiBegin b{};
    b.length = 0;
    b.rows = n;
    b.mode = kJacobiStep;
    for (int32_t i = 0; i < n; ++i) b.tokens[i] = window[size_t(i)];
    jacobi_begin(device.state.core, b);
    device.forward_rows();
    jacobi_update(device.state.core);
    bool same = device.state.core.accepted == k && device.state.core.length == reference.length();
    for (int32_t i = 0; same && i < n; ++i) same = device.state.core.predictions[i] == ref_predictions[size_t(i)];
    if (!same) ++step_mismatches;
  }
  expect(step_mismatches == 0, "device Jacobi step logic equals the reference");
}

// Greedy AR on the fake model: the tokens after `sequence` (prefix plus y0), up to EOS or `count`.
std::vector<int32_t> fake_greedy(const FakeModel& model, std::vector<int32_t> sequence, int32_t count, int32_t eos) {
  std::vector<int32_t> out;
  while (int32_t(out.size()) < count) {
    const int32_t next = model.predict(sequence, int32_t(sequence.size()) - 1);
    out.push_back(next);
    sequence.push_back(next);
    if (next == eos) break;
  }
  return out;
}

void test_jacobi_run_logic() {
  using namespace cllm::cuda;
  std::mt19937 rng(29);
  const FakeModel model{23};
  int cases = 0, mismatches = 0, reference_errors = 0, eos_stops = 0, full_stops = 0, continued = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const int32_t n = 1 + int32_t(rng() % (trial % 10 == 0 ? 64 : 20));
    const int32_t prefix = 1 + int32_t(rng() % 12);
    const int32_t capacity = prefix + 1 + int32_t(rng() % 60);
    const int32_t max_tokens = 1 + int32_t(rng() % 50);
    const int32_t eos = (rng() % 3 == 0) ? -1 : int32_t(rng() % model.vocab);
    const int32_t kind = int32_t(rng() % 3);
    const uint64_t seed = (uint64_t(rng()) << 32) | rng();
    const int32_t pad = int32_t(rng() % model.vocab);
    const bool record = rng() % 2 == 0;
    const int32_t call_iterations = rng() % 3 == 0 ? 1 + int32_t(rng() % 8) : std::numeric_limits<int32_t>::max();
    std::vector<int32_t> known(static_cast<size_t>(prefix + 1));  // the prompt; its last token is y0
    for (auto& t : known) t = int32_t(rng() % model.vocab);
    std::vector<int32_t> window(static_cast<size_t>(n)), prior(static_cast<size_t>(n));
    window[0] = known.back();
    for (int32_t i = 1; i < n; ++i) window[size_t(i)] = int32_t(rng() % model.vocab);
    for (auto& t : prior) t = rng() % 4 == 0 ? -1 : int32_t(rng() % model.vocab);
    const int32_t bound = std::min(max_tokens, capacity - prefix);

    // Reference: the generic run on the fake session.
    FakeSession reference(model, capacity);
    std::vector<int32_t> predictions(static_cast<size_t>(prefix));
    reference.forward_argmax(known.data(), prefix, predictions.data());
    std::vector<int32_t> ref_window = window, ref_prior = prior;
    std::vector<int32_t> ref_committed(size_t(bound), -7), ref_accepted(size_t(bound), -7),
        ref_stationary(size_t(bound), -7), ref_trace(size_t(bound) * size_t(n), -7);
    cllm::SessionBackend::RunArgs a{};
    a.window = ref_window.data();
    a.prior = ref_prior.data();
    a.n = n;
    a.max_tokens = max_tokens;
    a.max_iterations = call_iterations;
    a.eos_token = eos;
    a.guess = {kind, seed, pad};
    a.history = known.data();
    a.history_length = int32_t(known.size());
    a.committed = ref_committed.data();
    a.accepted = ref_accepted.data();
    a.stationary = ref_stationary.data();
    a.predictions = record ? ref_trace.data() : nullptr;
    const auto ref = reference.jacobi_run(a);

    // The reference is lossless: it commits the greedy continuation.
    const std::vector<int32_t> committed(ref_committed.begin(), ref_committed.begin() + ref.committed);
    const std::vector<int32_t> greedy = fake_greedy(model, known, ref.committed, eos);
    if (committed != greedy || ref.iterations > ref.committed || reference.length() != prefix + ref.committed) {
      ++reference_errors;
    }
    const bool hit_eos = ref.committed > 0 && committed.back() == eos;
    if (hit_eos) ++eos_stops;
    if (!hit_eos && ref.committed < max_tokens && ref.iterations < call_iterations) ++full_stops;

    // Device logic: launches of at most `launch_cap` iterations, each begun from what the last one left,
    // as CudaSession::jacobi_run does for recorded runs.
    const int32_t launch_cap = 1 + int32_t(rng() % 6);
    const size_t positions = size_t(capacity) + 1;
    DeviceEmulation device{model,
                           std::vector<int32_t>(size_t(capacity), 0),
                           {},
                           std::vector<int32_t>(positions, -3),
                           std::vector<int32_t>(positions, -3),
                           std::vector<int32_t>(positions, -3)};
    for (int32_t i = 0; i <= prefix && i < capacity; ++i) device.sequence[size_t(i)] = known[size_t(i)];
    std::copy(known.begin(), known.end(), device.history.begin());
    std::vector<int32_t> dev_window = window, dev_prior = prior, dev_accepted, dev_stationary, dev_trace;
    int32_t length = prefix, history_length = int32_t(known.size()), total = 0, launches = 0;
    for (;;) {
      JacobiBegin b{};
      b.length = length;
      b.rows = n;
      b.mode = kJacobiRun;
      b.max_iterations = std::min(std::min(launch_cap, call_iterations - int32_t(dev_accepted.size())),
                                  std::min(max_tokens - total, capacity - length));
      b.eos = eos;
      b.record_states = record ? 1 : 0;
      b.max_tokens = max_tokens - total;
      b.capacity = capacity;
      b.history_length = history_length;
      b.guess_kind = kind;
      b.pad_token = pad;
      b.seed_low = uint32_t(seed);
      b.seed_high = uint32_t(seed >> 32);
      for (int32_t i = 0; i < n; ++i) b.tokens[i] = dev_window[size_t(i)];
      for (int32_t i = 0; i < n; ++i) b.prior[i] = dev_prior[size_t(i)];
      // Leftovers of an earlier call must not matter: begin defines the whole core.
      std::memset(static_cast<void*>(&device.state.core), 0x5a, sizeof device.state.core);
      jacobi_begin(device.state.core, b);
      int guard = 0;
      while (!device.state.core.done && guard++ < 200) {
        device.forward_rows();
        jacobi_update(device.state.core, device.buffers());
      }
      const JacobiCore& c = device.state.core;
      ++launches;
      dev_accepted.insert(dev_accepted.end(), device.accepted.begin(), device.accepted.begin() + c.iterations);
      dev_stationary.insert(dev_stationary.end(), device.stationary.begin(), device.stationary.begin() + c.iterations);
      if (record) {
        dev_trace.insert(dev_trace.end(), device.state.states, device.state.states + size_t(c.iterations) * size_t(n));
      }
      // An iteration that commits EOS leaves the window and prior as the one before it built them.
      dev_window.assign(c.window, c.window + n);
      dev_prior.assign(c.prior, c.prior + n);
      length = c.length;
      history_length = c.history_length;
      total += c.produced_count;
      if (c.hit_eos || total >= max_tokens || int32_t(dev_accepted.size()) >= call_iterations || length >= capacity) {
        break;
      }
    }
    if (launches > 1) ++continued;
    const std::vector<int32_t> dev_committed(device.history.begin() + ptrdiff_t(known.size()),
                                             device.history.begin() + history_length);
    bool same = total == ref.committed && int32_t(dev_accepted.size()) == ref.iterations &&
                length == reference.length() && dev_committed == committed && dev_window == ref_window &&
                dev_prior == ref_prior;
    for (int32_t j = 0; same && j < ref.iterations; ++j) {
      same =
          dev_accepted[size_t(j)] == ref_accepted[size_t(j)] && dev_stationary[size_t(j)] == ref_stationary[size_t(j)];
    }
    if (same && record) same = std::equal(dev_trace.begin(), dev_trace.end(), ref_trace.begin());
    ++cases;
    if (!same) ++mismatches;
  }
  std::printf(
      "jacobi run logic: %d cases (%d stopped at EOS, %d at a full cache, %d over several launches), "
      "%d mismatches, %d reference errors\n",
      cases, eos_stops, full_stops, continued, mismatches, reference_errors);
  expect(reference_errors == 0, "the reference refill run commits the greedy output");
  expect(mismatches == 0, "device Jacobi run logic equals the reference");
  expect(eos_stops > 100 && full_stops > 100 && continued > 100,
         "the run cases cover EOS, a full cache and continuation");
}

void test_guess_rule() {
  // splitmix64's first output for seed 0 is 0xe220a8397b1dcdaf; the others pin the formula of cllm.h.
  expect(cllm::guess_hash(0, 0) == 0xe220a8397b1dcdafull, "guess hash (0, 0)");
  expect(cllm::guess_hash(1, 5) == 0xc34d0bff90150280ull, "guess hash (1, 5)");
  expect(cllm::guess_hash(~0ull, 1000) == 0xb758f7144a7e200aull, "guess hash (-1, 1000)");
  const int32_t history[7] = {10, 11, 12, 13, 14, 15, 16};
  expect(cllm::guess_token(cllm::kGuessRandom, 0, 0, 0, history, 7) == 12, "random guess picks history[hash % 7]");
  expect(cllm::guess_token(cllm::kGuessLast, 0, 0, 3, history, 7) == 16, "last guess");
  expect(cllm::guess_token(cllm::kGuessPad, 0, 9, 3, history, 7) == 9, "pad guess");
}

}  // namespace

int main() {
  test_mma_fragments();
  test_layout_rules();
  test_jacobi_logic();
  test_jacobi_run_logic();
  test_guess_rule();
  switch_checks::run_all(expect);
  if (failures) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("cuda host logic: all checks passed\n");
  return 0;
}
