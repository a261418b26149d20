// The bf16 and Q8_0 weight kernels on every ISA this machine runs (and, on any AVX-512 CPU, the
// vdpbf16ps kernel with the instruction emulated), against plain scalar references on awkward shapes,
// plus the packing, GGUF Q8_0 blocks and the fp16 conversion they rest on.
//
// Each kernel is held to a reference that computes what its documented numerics say, in double:
//   - bf16, widening ISAs: the bf16-rounded weights times the fp32 activations, and bit for bit the fp32
//     kernel of the same ISA on those weights;
//   - bf16, vdpbf16ps: the bf16-rounded weights times the bf16-rounded activations;
//   - Q8_0: sum over blocks of d_w * d_x * (exact integer sum of q_w * q_x), with the weights quantised by
//     this file's own ggml-style quantiser and the activations by the per-row rule of matmul_q8.cpp;
// and, more loosely, to the plain fp32 product (the quantisation error itself). Every type must also give
// a row the same result bit for bit whatever the number of rows in the call.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "backend.hpp"
#include "cpu/cpu_kernels.hpp"
#include "cpu/isa.hpp"
#include "cpu/weight_matmul.hpp"
#include "cpu/weight_packing.hpp"
#include "test_checks.hpp"

#if defined(CLLM_TEST_BF16_EMULATION)
namespace cllm::cpu::avx512_bf16emu {
WeightKernels bf16_kernels();  // matmul_bf16.cpp built for AVX-512F with vdpbf16ps emulated
}
#endif

namespace {

using cllm::testing::checks;
using cllm::testing::expect;
using cllm::testing::failures;

using cllm::cpu::Isa;
using cllm::cpu::Kernels;
using cllm::cpu::MatmulSegment;
using cllm::cpu::WeightKernels;
using cllm::cpu::WeightType;

double worst_vs_fp32 = 0;  // of the current subject: its quantisation error, printed

std::mt19937 rng(4321);

std::vector<float> random_vector(size_t n, float scale = 1.0f) {
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

// max |a - b| / max(|b|, scale): the error relative to the output's scale.
double rel_error(const float* a, const std::vector<double>& b, double scale) {
  double max_abs = scale, max_diff = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (!std::isfinite(a[i])) return INFINITY;
    max_abs = std::fmax(max_abs, std::fabs(b[i]));
    max_diff = std::fmax(max_diff, std::fabs(double(a[i]) - b[i]));
  }
  return max_diff / max_abs;
}

std::string label(const std::string& kernels, const char* what, std::initializer_list<int> dims) {
  std::string s = kernels + " " + what + "(";
  for (int d : dims) s += std::to_string(d) + ",";
  s.back() = ')';
  return s;
}

// fp32 sums of up to 768 terms (plus Q8_0's block scaling), relative to the output scale.
constexpr double kTol = 4e-6;

float round_bf16(float v) { return cllm::bf16_to_float(cllm::float_to_bf16(v)); }

// ---- the references' own quantisers ----

struct Q8Row {
  std::vector<float> d;  // per block
  std::vector<int> q;    // per value, padded to whole blocks with zeros
};

// ggml's Q8_0 rule for weights: d = amax / 127 rounded to fp16, q = round(x * (1 / d)) half away from zero.
Q8Row quantize_weights(const float* x, int n) {
  const int blocks = (n + 31) / 32;
  Q8Row row{std::vector<float>(size_t(blocks)), std::vector<int>(size_t(blocks) * 32, 0)};
  for (int b = 0; b < blocks; ++b) {
    float amax = 0;
    for (int j = b * 32; j < n && j < b * 32 + 32; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    const float d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
    row.d[size_t(b)] = cllm::f16_to_float(cllm::float_to_f16(d));
    for (int j = b * 32; j < n && j < b * 32 + 32; ++j) row.q[size_t(j)] = int(std::round(x[j] * id));
  }
  return row;
}

// matmul_q8.cpp's rule for activations: d = amax / 127 in fp32, q = x * (1 / d) rounded to nearest even.
Q8Row quantize_activations(const float* x, int n) {
  const int blocks = (n + 31) / 32;
  Q8Row row{std::vector<float>(size_t(blocks)), std::vector<int>(size_t(blocks) * 32, 0)};
  for (int b = 0; b < blocks; ++b) {
    float amax = 0;
    for (int j = b * 32; j < n && j < b * 32 + 32; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    const float d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
    row.d[size_t(b)] = d;
    for (int j = b * 32; j < n && j < b * 32 + 32; ++j) {
      const float scaled = x[j] * id;
      row.q[size_t(j)] = int(std::nearbyint(scaled));
    }
  }
  return row;
}

// ---- references ----

std::vector<double> ref_plain(const std::vector<float>& x, const std::vector<float>& w, int rows, int in, int out) {
  std::vector<double> y(size_t(rows) * out);
  for (int r = 0; r < rows; ++r)
    for (int o = 0; o < out; ++o) {
      double s = 0;
      for (int i = 0; i < in; ++i) s += double(x[size_t(r) * in + i]) * w[size_t(o) * in + i];
      y[size_t(r) * out + o] = s;
    }
  return y;
}

std::vector<double> ref_bf16(const std::vector<float>& x, const std::vector<float>& w, int rows, int in, int out,
                             bool bf16_activations) {
  std::vector<float> xr(x), wr(w);
  for (auto& v : wr) v = round_bf16(v);
  if (bf16_activations)
    for (auto& v : xr) v = round_bf16(v);
  return ref_plain(xr, wr, rows, in, out);
}

std::vector<double> ref_q8(const std::vector<float>& x, const std::vector<float>& w, int rows, int in, int out) {
  std::vector<Q8Row> wq, xq;
  for (int o = 0; o < out; ++o) wq.push_back(quantize_weights(&w[size_t(o) * in], in));
  for (int r = 0; r < rows; ++r) xq.push_back(quantize_activations(&x[size_t(r) * in], in));
  const int blocks = (in + 31) / 32;
  std::vector<double> y(size_t(rows) * out);
  for (int r = 0; r < rows; ++r)
    for (int o = 0; o < out; ++o) {
      double s = 0;
      for (int b = 0; b < blocks; ++b) {
        long long dot = 0;
        for (int j = b * 32; j < b * 32 + 32; ++j)
          dot += (long long)wq[size_t(o)].q[size_t(j)] * xq[size_t(r)].q[size_t(j)];
        s += double(wq[size_t(o)].d[size_t(b)]) * double(xq[size_t(r)].d[size_t(b)]) * double(dot);
      }
      y[size_t(r) * out + o] = s;
    }
  return y;
}

std::vector<uint8_t> pack(WeightType type, const std::vector<float>& w, int rows, int cols) {
  std::vector<uint8_t> p(size_t(cllm::cpu::packed_weight_bytes(type, rows, cols)) + 64, 0xcd);
  cllm::cpu::pack_weights(p.data(), type, w.data(), CLLM_DTYPE_F32, rows, cols);
  return p;
}

// ---- one weight type's kernels ----

struct Subject {
  std::string name;
  WeightType type;
  WeightKernels kernels;
  bool bf16_activations;    // vdpbf16ps (real or emulated)
  const Kernels* same_isa;  // for the fp32 bit-identity check of the widening bf16 kernels, or nullptr
};

// Runs one matmul of `rows` rows through prepare + matmul, into out with row stride ld (accumulate or not).
void run_matmul(const Subject& s, const std::vector<uint8_t>& wp, const float* x, int64_t ldx, int rows, int in,
                int out, float* y, int64_t ld, bool accumulate) {
  std::vector<uint64_t> scratch(size_t(s.kernels.prepared_row_bytes(in) * rows / 8 + 1));
  int64_t ld_bytes = 0;
  const void* act = s.kernels.prepare(scratch.data(), x, ldx, rows, in, &ld_bytes);
  const MatmulSegment seg{wp.data(), out, y, ld, accumulate};
  s.kernels.matmul(&seg, 1, act, ld_bytes, rows, in);
}

std::vector<double> reference(const Subject& s, const std::vector<float>& x, const std::vector<float>& w, int rows,
                              int in, int out) {
  return s.type == WeightType::q8_0 ? ref_q8(x, w, rows, in, out) : ref_bf16(x, w, rows, in, out, s.bf16_activations);
}

void test_matmul(const Subject& s) {
  // Widths around the vector, pair, block (32) and superblock (64) sizes; token counts around the tiles.
  for (int in : {1, 7, 32, 37, 64, 100, 688, 768}) {
    for (int out : {1, 5, 16, 17, 48, 67, 130}) {
      for (int rows : {1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 33, 64}) {
        if (int64_t(in) * out * rows > 600000) continue;
        const auto x = random_vector(size_t(rows) * in), w = random_vector(size_t(out) * in, 0.05f);
        const auto wp = pack(s.type, w, out, in);
        const auto ref = reference(s, x, w, rows, in, out);
        const int ld = out + 3;
        std::vector<float> y(size_t(rows) * ld, -7.0f);
        run_matmul(s, wp, x.data(), in, rows, in, out, y.data(), ld, false);
        std::vector<float> got(size_t(rows) * out);
        bool sentinels = true;
        for (int r = 0; r < rows; ++r)
          for (int o = 0; o < ld; ++o) {
            if (o < out)
              got[size_t(r) * out + o] = y[size_t(r) * ld + o];
            else
              sentinels = sentinels && y[size_t(r) * ld + o] == -7.0f;
          }
        const double scale = 0.05 * std::sqrt(double(in));
        expect(rel_error(got.data(), ref, scale) < kTol, label(s.name, "matmul vs its reference", {rows, in, out}));
        expect(sentinels, label(s.name, "matmul writes only its columns", {rows, in, out}));
        // The quantisation error itself, against fp32 weights and activations.
        const double plain = rel_error(got.data(), ref_plain(x, w, rows, in, out), scale);
        worst_vs_fp32 = std::fmax(worst_vs_fp32, plain);
        expect(plain < (s.type == WeightType::q8_0 ? 6e-2 : 2e-2), label(s.name, "matmul vs fp32", {rows, in, out}));
        // Accumulate into existing outputs.
        std::vector<float> acc(size_t(rows) * out, 0.25f);
        run_matmul(s, wp, x.data(), in, rows, in, out, acc.data(), out, true);
        std::vector<double> ref_acc(ref);
        for (auto& v : ref_acc) v += 0.25;
        expect(rel_error(acc.data(), ref_acc, scale) < kTol, label(s.name, "matmul accumulate", {rows, in, out}));
        // A row alone gives that row of the block, bit for bit (one path for every row count).
        if (rows > 1) {
          const int r = rows / 2;
          std::vector<float> one(static_cast<size_t>(out));
          run_matmul(s, wp, x.data() + size_t(r) * in, in, 1, in, out, one.data(), out, false);
          expect(std::memcmp(one.data(), &got[size_t(r) * out], size_t(out) * sizeof(float)) == 0,
                 label(s.name, "matmul: a row alone equals the same row in a block", {rows, in, out}));
        }
        // Widening bf16 kernels compute what the fp32 kernels compute on the same weights.
        if (s.same_isa) {
          std::vector<float> wr(w);
          for (auto& v : wr) v = round_bf16(v);
          std::vector<float> p32(size_t(cllm::cpu::packed_size(out, in)));
          cllm::cpu::pack_rows(p32.data(), wr.data(), out, in);
          std::vector<float> y32(size_t(rows) * out);
          const MatmulSegment seg{p32.data(), out, y32.data(), out, false};
          s.same_isa->matmul_packed(&seg, 1, x.data(), in, rows, in);
          expect(y32 == got, label(s.name, "bf16 matmul equals the fp32 kernel on bf16 weights", {rows, in, out}));
        }
      }
    }
  }
  // Q, K and V as three segments of one call, x rows with a wider stride.
  const int in = 96, rows = 11, ldx = 101, outs[3] = {48, 16, 21};
  const auto x = random_vector(size_t(rows) * ldx);
  std::vector<float> xs(size_t(rows) * in);
  for (int r = 0; r < rows; ++r)
    for (int i = 0; i < in; ++i) xs[size_t(r) * in + i] = x[size_t(r) * ldx + i];
  std::vector<std::vector<float>> ws, ys;
  std::vector<std::vector<uint8_t>> wps;
  MatmulSegment segs[3];
  for (int k = 0; k < 3; ++k) {
    ws.push_back(random_vector(size_t(outs[k]) * in, 0.05f));
    wps.push_back(pack(s.type, ws[size_t(k)], outs[k], in));
    ys.emplace_back(size_t(rows) * outs[k]);
  }
  for (int k = 0; k < 3; ++k) segs[k] = {wps[size_t(k)].data(), outs[k], ys[size_t(k)].data(), outs[k], false};
  std::vector<uint64_t> scratch(size_t(s.kernels.prepared_row_bytes(in) * rows / 8 + 1));
  int64_t ld_bytes = 0;
  const void* act = s.kernels.prepare(scratch.data(), x.data(), ldx, rows, in, &ld_bytes);
  s.kernels.matmul(segs, 3, act, ld_bytes, rows, in);
  for (int k = 0; k < 3; ++k) {
    expect(rel_error(ys[size_t(k)].data(), reference(s, xs, ws[size_t(k)], rows, in, outs[k]), 0.05 * std::sqrt(96.0)) <
               kTol,
           label(s.name, "matmul segment", {k, rows, in, outs[k]}));
  }
}

void test_matmul_swiglu(const Subject& s) {
  for (int in : {5, 32, 48, 100, 384}) {
    for (int hidden : {1, 3, 16, 37, 172}) {
      for (int rows : {1, 2, 3, 5, 8, 9, 17, 64}) {
        const auto x = random_vector(size_t(rows) * in), wg = random_vector(size_t(hidden) * in, 0.3f),
                   wu = random_vector(size_t(hidden) * in, 0.3f);
        const auto g = reference(s, x, wg, rows, in, hidden), u = reference(s, x, wu, rows, in, hidden);
        std::vector<double> ref(g.size());
        for (size_t i = 0; i < g.size(); ++i) ref[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
        const auto gp = pack(s.type, wg, hidden, in), up = pack(s.type, wu, hidden, in);
        std::vector<uint64_t> scratch(size_t(s.kernels.prepared_row_bytes(in) * rows / 8 + 1));
        int64_t ld_bytes = 0;
        const void* act = s.kernels.prepare(scratch.data(), x.data(), in, rows, in, &ld_bytes);
        std::vector<float> y(size_t(rows) * hidden, NAN);
        s.kernels.matmul_swiglu(y.data(), act, ld_bytes, gp.data(), up.data(), rows, in, hidden);
        // A single output can cancel to nearly zero: errors count against at least 1e-2 (outputs are O(1)).
        expect(rel_error(y.data(), ref, 1e-2) < 1e-5, label(s.name, "matmul_swiglu", {rows, in, hidden}));
      }
    }
  }
}

// ---- packing ----

void test_f16_conversion() {
  bool round_trip = true;
  for (uint32_t h = 0; h < 0x10000u; ++h) {
    const float f = cllm::f16_to_float(uint16_t(h));
    if (f != f) continue;  // NaN: stays a NaN, checked below
    round_trip = round_trip && cllm::float_to_f16(f) == uint16_t(h);
  }
  expect(round_trip, "float_to_f16(f16_to_float(h)) == h for every non-NaN half");
  // Ties to even, overflow, subnormals, NaN.
  expect(cllm::float_to_f16(1.0f + 1.0f / 2048.0f) == 0x3c00u, "1 + 2^-11 rounds down to 1 (tie to even)");
  expect(cllm::float_to_f16(1.0f + 3.0f / 2048.0f) == 0x3c02u, "1 + 3 * 2^-11 rounds up (tie to even)");
  expect(cllm::float_to_f16(65519.0f) == 0x7bffu && cllm::float_to_f16(65520.0f) == 0x7c00u, "65520 rounds to inf");
  expect(cllm::float_to_f16(std::ldexp(1.5f, -24)) == 0x0002u, "1.5 * 2^-24 rounds to the even subnormal 2");
  expect(cllm::float_to_f16(-std::ldexp(1.0f, -26)) == 0x8000u, "tiny negatives round to -0");
  const uint16_t nan = cllm::float_to_f16(NAN);
  expect((nan & 0x7c00u) == 0x7c00u && (nan & 0x3ffu) != 0, "NaN stays NaN");
}

void test_packing() {
  for (int rows : {1, 15, 16, 17, 40}) {
    for (int cols : {1, 3, 32, 37, 64, 100, 128}) {
      const auto w = random_vector(size_t(rows) * cols, 0.1f);
      std::vector<float> row(static_cast<size_t>(cols));
      // bf16: rounding on the way in, exact on the way out; bf16 uploads bit for bit.
      const auto bp = pack(WeightType::bf16, w, rows, cols);
      std::vector<uint16_t> bits(w.size());
      for (size_t i = 0; i < w.size(); ++i) bits[i] = cllm::float_to_bf16(w[i]);
      std::vector<uint8_t> bp2(bp.size(), 0xcd);
      cllm::cpu::pack_weights(bp2.data(), WeightType::bf16, bits.data(), CLLM_DTYPE_BF16, rows, cols);
      expect(bp == bp2, "bf16 packing of bf16 uploads equals packing of the fp32 values (" + std::to_string(rows) +
                            "x" + std::to_string(cols) + ")");
      bool same = true;
      for (int r = 0; r < rows; ++r) {
        cllm::cpu::unpack_weight_row(row.data(), bp.data(), WeightType::bf16, r, cols);
        for (int c = 0; c < cols; ++c) same = same && row[size_t(c)] == round_bf16(w[size_t(r) * cols + c]);
      }
      expect(same, "bf16 unpack_weight_row (" + std::to_string(rows) + "x" + std::to_string(cols) + ")");
      // Q8_0: the values d * q of ggml's quantiser.
      const auto qp = pack(WeightType::q8_0, w, rows, cols);
      same = true;
      for (int r = 0; r < rows; ++r) {
        const Q8Row q = quantize_weights(&w[size_t(r) * cols], cols);
        cllm::cpu::unpack_weight_row(row.data(), qp.data(), WeightType::q8_0, r, cols);
        for (int c = 0; c < cols; ++c) same = same && row[size_t(c)] == q.d[size_t(c / 32)] * float(q.q[size_t(c)]);
      }
      expect(same, "q8_0 unpack_weight_row (" + std::to_string(rows) + "x" + std::to_string(cols) + ")");
      expect(qp.size() == size_t((rows + 15) / 16) * size_t((cols + 63) / 64) * 1088 + 64, "q8_0 packed size");
      // GGUF blocks in, the same packed bytes out (no re-quantising).
      if (cols % 32 == 0) {
        std::vector<uint8_t> blocks(size_t(rows) * (cols / 32) * 34);
        for (int r = 0; r < rows; ++r)
          cllm::cpu::quantize_q8_0(&blocks[size_t(r) * (cols / 32) * 34], &w[size_t(r) * cols], cols);
        std::vector<uint8_t> qp2(qp.size(), 0xcd);
        cllm::cpu::pack_weights(qp2.data(), WeightType::q8_0, blocks.data(), CLLM_DTYPE_Q8_0, rows, cols);
        expect(qp == qp2, "q8_0 packing of GGUF blocks equals quantising the values (" + std::to_string(rows) + "x" +
                              std::to_string(cols) + ")");
      }
    }
  }
  // quantize_q8_0 writes ggml's bytes: d as fp16, then q.
  const auto x = random_vector(64, 0.2f);
  std::vector<uint8_t> blocks(68);
  cllm::cpu::quantize_q8_0(blocks.data(), x.data(), 64);
  bool exact = true;
  for (int b = 0; b < 2; ++b) {
    const Q8Row q = quantize_weights(&x[size_t(b) * 32], 32);
    uint16_t d;
    std::memcpy(&d, &blocks[size_t(b) * 34], 2);
    exact = exact && cllm::f16_to_float(d) == q.d[0];
    for (int j = 0; j < 32; ++j) exact = exact && int8_t(blocks[size_t(b) * 34 + 2 + j]) == q.q[size_t(j)];
  }
  expect(exact, "quantize_q8_0 matches the reference quantiser byte for byte");
  std::vector<float> back(64);
  cllm::cpu::dequantize_q8_0(back.data(), blocks.data(), 64);
  double worst = 0;
  for (int i = 0; i < 64; ++i) worst = std::fmax(worst, std::fabs(back[size_t(i)] - x[size_t(i)]));
  expect(worst < 0.01, "dequantize_q8_0 returns the values to within half a step");
  // A -128 (never written by ggml) reads as -127 in packed Q8_0.
  std::vector<uint8_t> odd(34, 0);
  const uint16_t one = cllm::float_to_f16(1.0f);
  std::memcpy(odd.data(), &one, 2);
  odd[2] = uint8_t(0x80);  // -128
  odd[3] = 5;
  std::vector<uint8_t> packed(size_t(cllm::cpu::packed_weight_bytes(WeightType::q8_0, 1, 32)));
  cllm::cpu::pack_weights(packed.data(), WeightType::q8_0, odd.data(), CLLM_DTYPE_Q8_0, 1, 32);
  std::vector<float> row(32);
  cllm::cpu::unpack_weight_row(row.data(), packed.data(), WeightType::q8_0, 0, 32);
  expect(row[0] == -127.0f && row[1] == 5.0f && row[2] == 0.0f, "q8_0: -128 reads as -127");
}

// The public entry points (active table) agree with the table they dispatch to.
void test_public_api(Isa isa) {
  if (!cllm::cpu::set_active_isa(isa)) return;
  const Kernels& k = cllm::cpu::active_kernels();
  const int rows = 5, in = 96, out = 40;
  const auto x = random_vector(size_t(rows) * in), w = random_vector(size_t(out) * in, 0.05f),
             w2 = random_vector(size_t(out) * in, 0.05f);
  for (WeightType type : {WeightType::bf16, WeightType::q8_0}) {
    const auto wp = pack(type, w, out, in), wp2 = pack(type, w2, out, in);
    std::vector<float> y(size_t(rows) * out), direct(y.size()), g(y.size()), u(y.size()), fused(y.size());
    cllm::cpu::matmul_rows_weights(y.data(), x.data(), wp.data(), type, rows, in, out, false);
    const Subject s{k.name, type, type == WeightType::bf16 ? k.bf16 : k.q8_0, false, nullptr};
    run_matmul(s, wp, x.data(), in, rows, in, out, direct.data(), out, false);
    expect(y == direct, std::string(k.name) + " matmul_rows_weights (" + cllm::cpu::weight_type_name(type) + ")");
    cllm::cpu::matmul_rows_weights(g.data(), x.data(), wp.data(), type, rows, in, out, false);
    cllm::cpu::matmul_rows_weights(u.data(), x.data(), wp2.data(), type, rows, in, out, false);
    cllm::cpu::swiglu_rows(g.data(), u.data(), rows, out);
    cllm::cpu::matmul_rows_weights_swiglu(fused.data(), x.data(), wp.data(), wp2.data(), type, rows, in, out);
    std::vector<double> gd(g.begin(), g.end());
    expect(rel_error(fused.data(), gd, 1e-2) < 1e-5, std::string(k.name) +
                                                         " matmul_rows_weights_swiglu == matmul, matmul, swiglu (" +
                                                         cllm::cpu::weight_type_name(type) + ")");
  }
}

void test_subject(const Subject& s) {
  worst_vs_fp32 = 0;
  test_matmul(s);
  test_matmul_swiglu(s);
  std::printf("cpu weight kernels: %s tested (matmul error vs fp32 weights and activations up to %.2g)\n",
              s.name.c_str(), worst_vs_fp32);
}

}  // namespace

int main() {
  test_f16_conversion();
  test_packing();
  int tested = 0;
  for (int32_t level = 0; level < cllm::cpu::kIsaCount; ++level) {
    const Isa isa = Isa(level);
    const Kernels* k = cllm::cpu::kernels_for(isa);
    if (!k) {
      std::printf("cpu weight kernels: %s not available on this CPU or build, skipped\n", cllm::cpu::isa_name(isa));
      continue;
    }
    ++tested;
    const bool dot = isa == Isa::avx512_bf16;
    test_subject({std::string(k->name) + " bf16", WeightType::bf16, k->bf16, dot, dot ? nullptr : k});
    test_subject({std::string(k->name) + " q8_0", WeightType::q8_0, k->q8_0, false, nullptr});
    test_public_api(isa);
  }
#if defined(CLLM_TEST_BF16_EMULATION)
  if (cllm::cpu::kernels_for(Isa::avx512)) {
    test_subject({"avx512_bf16 (vdpbf16ps emulated) bf16", WeightType::bf16, cllm::cpu::avx512_bf16emu::bf16_kernels(),
                  true, nullptr});
  } else {
    std::printf("cpu weight kernels: emulated vdpbf16ps needs AVX-512F, skipped\n");
  }
#endif
  expect(tested >= 1, "at least the generic kernels exist");
  if (failures) {
    std::fprintf(stderr, "%d of %d check(s) failed\n", failures, checks);
    return 1;
  }
  std::printf("cpu weight kernels: all %d checks passed\n", checks);
  return 0;
}
