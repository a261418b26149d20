// Each CPU kernel family (fp32 weights; the bf16 and Q8_0 matmuls: test_cpu_weight_kernels.cpp), on every ISA this
// machine runs (generic, AVX2, AVX-512 and its VNNI and BF16 levels), against a plain scalar double-precision reference
// on awkward shapes: widths that are not multiples of the vector width, 1..64 token rows, grouped-query attention,
// head_dim 48, long contexts. The kernels run through their ISA's table and through the public cpu_kernels.hpp
// functions (with set_active_isa).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "cpu/cpu_kernels.hpp"
#include "cpu/isa.hpp"
#include "test_checks.hpp"

namespace {

using cllm::testing::checks;
using cllm::testing::expect;
using cllm::testing::failures;

using cllm::cpu::Kernels;
using cllm::cpu::MatmulSegment;

std::mt19937 rng(1234);

std::vector<float> random_vector(size_t n, float scale = 1.0f) {
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

// max |a - b| / max |b|: the error relative to the output's scale. A single dot product can cancel
// to nearly zero, so sets of one or two values also count the reference's magnitude floor `scale`.
double rel_error(const float* a, const std::vector<double>& b, double scale = 0) {
  double max_abs = scale, max_diff = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    max_abs = std::fmax(max_abs, std::fabs(b[i]));
    max_diff = std::fmax(max_diff, std::fabs(double(a[i]) - b[i]));
  }
  return max_abs > 0 ? max_diff / max_abs : max_diff;
}

std::string shape(const char* name, const Kernels& k, std::initializer_list<int> dims) {
  std::string s = std::string(k.name) + " " + name + "(";
  for (int d : dims) s += std::to_string(d) + ",";
  s.back() = ')';
  return s;
}

constexpr double kTol = 2e-6;  // fp32 sums of a few thousand terms, relative to the output scale

std::vector<double> ref_matmul(const std::vector<float>& x, const float* w, int rows, int in, int out) {
  std::vector<double> y(size_t(rows) * out);
  for (int r = 0; r < rows; ++r) {
    for (int o = 0; o < out; ++o) {
      double s = 0;
      for (int i = 0; i < in; ++i) s += double(x[size_t(r) * in + i]) * w[size_t(o) * in + i];
      y[size_t(r) * out + o] = s;
    }
  }
  return y;
}

std::vector<float> packed(const std::vector<float>& w, int rows, int cols) {
  std::vector<float> p(size_t(cllm::cpu::packed_size(rows, cols)), -1.0f);
  cllm::cpu::pack_rows(p.data(), w.data(), rows, cols);
  return p;
}

void test_packing() {
  for (int rows : {1, 15, 16, 17, 40}) {
    for (int cols : {1, 3, 64}) {
      const auto w = random_vector(size_t(rows) * cols);
      const auto p = packed(w, rows, cols);
      bool same = true;
      std::vector<float> row(static_cast<size_t>(cols));
      for (int r = 0; r < rows; ++r) {
        cllm::cpu::unpack_row(row.data(), p.data(), r, cols);
        for (int c = 0; c < cols; ++c) same = same && row[c] == w[size_t(r) * cols + c];
      }
      // The last panel's rows past `rows` are zero.
      for (int r = rows; r < (rows + 15) / 16 * 16; ++r) {
        cllm::cpu::unpack_row(row.data(), p.data(), r, cols);
        for (int c = 0; c < cols; ++c) same = same && row[c] == 0.0f;
      }
      expect(same, "pack_rows / unpack_row round trip (" + std::to_string(rows) + "x" + std::to_string(cols) + ")");
    }
  }
}

void test_matmul_packed(const Kernels& k) {
  // Widths around the panel (16) and tile (3 panels) sizes; token counts around the tile (8) size.
  for (int in : {1, 7, 37, 100, 768}) {
    for (int out : {1, 5, 16, 17, 48, 67, 130}) {
      for (int rows : {1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 24, 33, 64}) {
        if (int64_t(in) * out * rows > 700000) continue;
        const auto x = random_vector(size_t(rows) * in), w = random_vector(size_t(out) * in);
        const auto wp = packed(w, out, in);
        const auto ref = ref_matmul(x, w.data(), rows, in, out);
        const int ld = out + 5;
        std::vector<float> y(size_t(rows) * ld, -7.0f);
        const MatmulSegment seg{wp.data(), out, y.data(), ld, false};
        k.matmul_packed(&seg, 1, x.data(), in, rows, in);
        std::vector<float> got(size_t(rows) * out);
        bool sentinels = true;
        for (int r = 0; r < rows; ++r) {
          for (int o = 0; o < ld; ++o) {
            if (o < out)
              got[size_t(r) * out + o] = y[size_t(r) * ld + o];
            else
              sentinels = sentinels && y[size_t(r) * ld + o] == -7.0f;
          }
        }
        expect(rel_error(got.data(), ref, std::sqrt(double(in))) < kTol, shape("matmul_packed", k, {rows, in, out}));
        expect(sentinels, shape("matmul_packed writes only its columns", k, {rows, in, out}));
        std::vector<float> acc(size_t(rows) * out, 0.25f);
        const MatmulSegment add{wp.data(), out, acc.data(), out, true};
        k.matmul_packed(&add, 1, x.data(), in, rows, in);
        std::vector<double> ref_acc(ref);
        for (auto& v : ref_acc) v += 0.25;
        expect(rel_error(acc.data(), ref_acc, std::sqrt(double(in))) < kTol,
               shape("matmul_packed accumulate", k, {rows, in, out}));
      }
    }
  }
  // Q, K, V as three segments of one call, x rows with a wider stride.
  const int in = 96, rows = 11, ldx = 101, outs[3] = {48, 16, 21};
  const auto x = random_vector(size_t(rows) * ldx);
  std::vector<float> xs(size_t(rows) * in);
  for (int r = 0; r < rows; ++r)
    for (int i = 0; i < in; ++i) xs[size_t(r) * in + i] = x[size_t(r) * ldx + i];
  std::vector<std::vector<float>> ws, wps, ys;
  MatmulSegment segs[3];
  for (int s = 0; s < 3; ++s) {
    ws.push_back(random_vector(size_t(outs[s]) * in));
    wps.push_back(packed(ws[s], outs[s], in));
    ys.emplace_back(size_t(rows) * outs[s]);
  }
  for (int s = 0; s < 3; ++s) segs[s] = {wps[s].data(), outs[s], ys[s].data(), outs[s], false};
  k.matmul_packed(segs, 3, x.data(), ldx, rows, in);
  for (int s = 0; s < 3; ++s) {
    expect(rel_error(ys[s].data(), ref_matmul(xs, ws[s].data(), rows, in, outs[s])) < kTol,
           shape("matmul_packed segment", k, {s, rows, in, outs[s]}));
  }
}

void test_matmul_packed_swiglu(const Kernels& k) {
  for (int in : {5, 48, 100, 384}) {
    for (int hidden : {1, 3, 16, 37, 172}) {
      for (int rows : {1, 2, 3, 5, 8, 9, 17, 64}) {
        const auto x = random_vector(size_t(rows) * in), wg = random_vector(size_t(hidden) * in, 0.3f),
                   wu = random_vector(size_t(hidden) * in, 0.3f);
        const auto g = ref_matmul(x, wg.data(), rows, in, hidden), u = ref_matmul(x, wu.data(), rows, in, hidden);
        std::vector<double> ref(g.size());
        for (size_t i = 0; i < g.size(); ++i) ref[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
        std::vector<float> y(size_t(rows) * hidden, NAN);
        k.matmul_packed_swiglu(y.data(), x.data(), packed(wg, hidden, in).data(), packed(wu, hidden, in).data(), rows,
                               in, hidden);
        // A single output can cancel to nearly zero: errors count against at least 1e-2 (outputs are O(1)).
        const double error = rel_error(y.data(), ref, 1e-2);
        expect(error < 1e-5, shape("matmul_packed_swiglu", k, {rows, in, hidden}));
      }
    }
  }
}

void test_rmsnorm(const Kernels& k) {
  for (int dim : {1, 5, 16, 17, 48, 100, 768, 1003}) {
    for (int rows : {1, 3, 16}) {
      const auto x = random_vector(size_t(rows) * dim, 3.0f), w = random_vector(size_t(dim));
      std::vector<double> ref(x.size());
      for (int r = 0; r < rows; ++r) {
        double ss = 0;
        for (int i = 0; i < dim; ++i) ss += double(x[size_t(r) * dim + i]) * x[size_t(r) * dim + i];
        const double scale = 1.0 / std::sqrt(ss / dim + 1e-5);
        for (int i = 0; i < dim; ++i) ref[size_t(r) * dim + i] = x[size_t(r) * dim + i] * scale * w[i];
      }
      std::vector<float> y(x.size());
      k.rmsnorm(y.data(), x.data(), w.data(), rows, dim, 1e-5f);
      expect(rel_error(y.data(), ref) < kTol, shape("rmsnorm", k, {rows, dim}));
    }
  }
}

void test_rope(const Kernels& k) {
  for (int head_dim : {2, 6, 48, 64, 128}) {
    for (int position : {0, 1, 17, 4000}) {
      const int rows = 5, heads = 3;
      auto x = random_vector(size_t(rows) * heads * head_dim);
      std::vector<double> ref(x.size());
      const int half = head_dim / 2;
      for (int r = 0; r < rows; ++r) {
        for (int i = 0; i < half; ++i) {
          const float inv_freq = float(1.0 / std::pow(10000.0, double(2 * i) / head_dim));
          const float angle = float(position + r) * inv_freq;
          const double c = std::cos(double(angle)), s = std::sin(double(angle));
          for (int h = 0; h < heads; ++h) {
            const size_t base = (size_t(r) * heads + h) * head_dim;
            ref[base + i] = x[base + i] * c - x[base + i + half] * s;
            ref[base + i + half] = x[base + i + half] * c + x[base + i] * s;
          }
        }
      }
      std::vector<float> table(size_t(rows) * head_dim);
      cllm::cpu::rope_table(table.data(), rows, head_dim, position, 10000.0f);
      k.rope(x.data(), rows, heads, head_dim, table.data());
      expect(rel_error(x.data(), ref) < kTol, shape("rope", k, {head_dim, position}));
    }
  }
}

void test_swiglu(const Kernels& k) {
  for (int hidden : {1, 5, 16, 33, 1003}) {
    for (int rows : {1, 4}) {
      auto g = random_vector(size_t(rows) * hidden, 4.0f);
      const auto u = random_vector(size_t(rows) * hidden);
      if (g.size() >= 3) {  // exp overflow territory (the other values set the error scale)
        g[0] = -120.0f;     // silu(-120) = -7e-51: -0 in fp32
        g[1] = 95.0f;
      }
      std::vector<double> ref(g.size());
      for (size_t i = 0; i < g.size(); ++i) ref[i] = double(g[i]) / (1.0 + std::exp(-double(g[i]))) * u[i];
      k.swiglu(g.data(), u.data(), rows, hidden);
      expect(rel_error(g.data(), ref) < kTol, shape("swiglu", k, {rows, hidden}));
    }
  }
}

void test_attention(const Kernels& k) {
  struct Case {
    int heads, kv_heads, head_dim, rows, first;
  };
  const Case cases[] = {{8, 2, 48, 1, 0},      {8, 2, 48, 7, 0},   {8, 2, 48, 17, 5}, {8, 2, 48, 64, 100},
                        {4, 4, 64, 1, 300},    {4, 4, 64, 16, 33}, {6, 1, 10, 3, 2},  {3, 3, 6, 5, 0},
                        {12, 12, 64, 1, 1500}, {16, 4, 128, 9, 60}};
  for (const Case& c : cases) {
    const int span = c.first + c.rows, kv_dim = c.kv_heads * c.head_dim, group = c.heads / c.kv_heads;
    const auto q = random_vector(size_t(c.rows) * c.heads * c.head_dim);
    const auto kc = random_vector(size_t(span) * kv_dim), vc = random_vector(size_t(span) * kv_dim);
    std::vector<double> ref(q.size(), 0.0);
    for (int r = 0; r < c.rows; ++r) {
      for (int h = 0; h < c.heads; ++h) {
        const int visible = c.first + r + 1, kvh = h / group;
        std::vector<double> s(static_cast<size_t>(visible));
        double max_score = -INFINITY;
        for (int t = 0; t < visible; ++t) {
          double d = 0;
          for (int i = 0; i < c.head_dim; ++i)
            d += double(q[(size_t(r) * c.heads + h) * c.head_dim + i]) * kc[size_t(t) * kv_dim + kvh * c.head_dim + i];
          s[t] = d / std::sqrt(double(c.head_dim));
          max_score = std::fmax(max_score, s[t]);
        }
        double total = 0;
        for (auto& v : s) total += (v = std::exp(v - max_score));
        for (int t = 0; t < visible; ++t)
          for (int i = 0; i < c.head_dim; ++i)
            ref[(size_t(r) * c.heads + h) * c.head_dim + i] +=
                s[t] / total * vc[size_t(t) * kv_dim + kvh * c.head_dim + i];
      }
    }
    // The key cache packed as the backend keeps it, written in two pieces (as two forwards would), with
    // room for more positions than are cached (those must not matter: NaN-filled here).
    const int64_t stride = cllm::cpu::k_head_stride(span + 40, c.head_dim);
    std::vector<float> kp(size_t(stride * c.kv_heads), NAN);
    const int split = c.first / 2;
    cllm::cpu::store_keys(kp.data(), stride, kc.data(), split, c.kv_heads, c.head_dim, 0);
    cllm::cpu::store_keys(kp.data(), stride, kc.data() + size_t(split) * kv_dim, span - split, c.kv_heads, c.head_dim,
                          split);
    // The scratch has exactly the documented size, followed by sentinels that must survive.
    const size_t scratch = size_t(c.rows) * c.heads * span;
    std::vector<float> scores(scratch + 64, 123.0f), out(q.size(), NAN);
    k.attention(out.data(), q.data(), kp.data(), stride, vc.data(), c.rows, c.heads, c.kv_heads, c.head_dim, c.first,
                scores.data());
    bool sentinels = true;
    for (size_t i = scratch; i < scores.size(); ++i) sentinels = sentinels && scores[i] == 123.0f;
    expect(rel_error(out.data(), ref) < 1e-5,
           shape("attention", k, {c.heads, c.kv_heads, c.head_dim, c.rows, c.first}));
    expect(sentinels,
           shape("attention stays inside its scratch", k, {c.heads, c.kv_heads, c.head_dim, c.rows, c.first}));
  }
}

int ref_argmax(const float* row, int cols) {
  int best = 0;
  for (int c = 1; c < cols; ++c)
    if (row[c] > row[best]) best = c;
  return best;
}

void test_argmax(const Kernels& k) {
  for (int cols : {1, 2, 15, 16, 17, 33, 100, 517, 32000}) {
    std::vector<std::vector<float>> rows;
    rows.push_back(random_vector(size_t(cols)));
    auto ties = random_vector(size_t(cols));  // the maximum three times: the first one wins
    for (int c : {cols / 2, cols / 3, cols - 1}) ties[size_t(c)] = 50.0f;
    rows.push_back(ties);
    rows.push_back(std::vector<float>(size_t(cols), 1.0f));       // all equal: index 0
    rows.push_back(std::vector<float>(size_t(cols), -INFINITY));  // all -inf: index 0
    auto nan_first = random_vector(size_t(cols));
    nan_first[0] = NAN;  // the reference never moves away from a NaN at index 0
    rows.push_back(nan_first);
    auto nan_inside = random_vector(size_t(cols));
    for (int c = 1; c < cols; c += 7) nan_inside[size_t(c)] = NAN;  // NaN never wins
    if (cols > 40) nan_inside[40] = 99.0f;
    rows.push_back(nan_inside);
    std::vector<float> all;
    for (auto& r : rows) all.insert(all.end(), r.begin(), r.end());
    std::vector<int32_t> got(rows.size(), -1);
    k.argmax(got.data(), all.data(), int32_t(rows.size()), cols);
    for (size_t r = 0; r < rows.size(); ++r) {
      expect(got[r] == ref_argmax(rows[r].data(), cols), shape("argmax", k, {cols, int(r)}));
    }
  }
}

// The public functions of cpu_kernels.hpp go through the active table; spot-check each one.
void test_public_api(cllm::cpu::Isa isa) {
  if (!cllm::cpu::set_active_isa(isa)) return;
  const Kernels& k = cllm::cpu::active_kernels();
  expect(k.isa == isa, "set_active_isa switches the reference functions");
  const int rows = 3, in = 37, out = 11;
  const auto x = random_vector(size_t(rows) * in), w = random_vector(size_t(out) * in),
             w2 = random_vector(size_t(out) * in);
  std::vector<float> y(size_t(rows) * out), acc(size_t(rows) * out, 1.0f), g(size_t(rows) * out), u(g.size()),
      fused(g.size());
  cllm::cpu::matmul_rows(y.data(), x.data(), w.data(), rows, in, out);
  expect(rel_error(y.data(), ref_matmul(x, w.data(), rows, in, out)) < kTol, std::string(k.name) + " matmul_rows");
  cllm::cpu::matmul_rows_accumulate(acc.data(), x.data(), w.data(), rows, in, out);
  auto ref = ref_matmul(x, w.data(), rows, in, out);
  for (auto& v : ref) v += 1.0;
  expect(rel_error(acc.data(), ref) < kTol, std::string(k.name) + " matmul_rows_accumulate");
  cllm::cpu::matmul_rows(g.data(), x.data(), w.data(), rows, in, out);
  cllm::cpu::matmul_rows(u.data(), x.data(), w2.data(), rows, in, out);
  cllm::cpu::swiglu_rows(g.data(), u.data(), rows, out);
  cllm::cpu::matmul_rows_swiglu(fused.data(), x.data(), w.data(), w2.data(), rows, in, out);
  std::vector<double> gd(g.begin(), g.end());
  expect(rel_error(fused.data(), gd) < 1e-5, std::string(k.name) + " matmul_rows_swiglu == matmul, matmul, swiglu");
  // attention_rows (row-major keys, packed per call) == the packed kernel.
  {
    const int heads = 4, kv = 2, hd = 24, rows_a = 3, first = 20, span = first + rows_a, kv_dim = kv * hd;
    const auto qa = random_vector(size_t(rows_a) * heads * hd), kc = random_vector(size_t(span) * kv_dim),
               vc = random_vector(size_t(span) * kv_dim);
    std::vector<float> s1(size_t(rows_a) * heads * span), s2(s1.size()), o1(qa.size()), o2(qa.size());
    cllm::cpu::attention_rows(o1.data(), qa.data(), kc.data(), vc.data(), rows_a, heads, kv, hd, first, s1.data());
    const int64_t stride = cllm::cpu::k_head_stride(span, hd);
    std::vector<float> kp(size_t(stride * kv));
    cllm::cpu::store_keys(kp.data(), stride, kc.data(), span, kv, hd, 0);
    cllm::cpu::attention_rows_packed(o2.data(), qa.data(), kp.data(), stride, vc.data(), rows_a, heads, kv, hd, first,
                                     s2.data());
    expect(o1 == o2, std::string(k.name) + " attention_rows == store_keys + attention_rows_packed");
  }
  // rope_rows == rope_table + rope_rows_table.
  auto a = random_vector(size_t(rows) * 2 * 48), b = a;
  std::vector<float> table(size_t(rows) * 48);
  cllm::cpu::rope_rows(a.data(), rows, 2, 48, 77, 10000.0f);
  cllm::cpu::rope_table(table.data(), rows, 48, 77, 10000.0f);
  cllm::cpu::rope_rows_table(b.data(), rows, 2, 48, table.data());
  expect(a == b, std::string(k.name) + " rope_rows == rope_table + rope_rows_table");
}

void test_select_from_environment() {
  using cllm::cpu::Isa;
  setenv("CLLM_CPU_ISA", "generic", 1);
  expect(cllm::cpu::select_kernels().isa == Isa::generic, "CLLM_CPU_ISA=generic selects the generic kernels");
  setenv("CLLM_CPU_ISA", "avx2", 1);
  const Isa avx2 = cllm::cpu::kernels_for(Isa::avx2) ? Isa::avx2 : Isa::generic;
  expect(cllm::cpu::select_kernels().isa == avx2, "CLLM_CPU_ISA=avx2 selects AVX2 where the CPU has it");
  setenv("CLLM_CPU_ISA", "avx512", 1);
  const Isa avx512 = cllm::cpu::kernels_for(Isa::avx512) ? Isa::avx512 : avx2;
  expect(cllm::cpu::select_kernels().isa == avx512, "CLLM_CPU_ISA=avx512 selects AVX-512 where the CPU has it");
  setenv("CLLM_CPU_ISA", "avx512_bf16", 1);
  expect(cllm::cpu::select_kernels().isa == cllm::cpu::best_isa(), "CLLM_CPU_ISA=avx512_bf16 is clamped to the CPU");
  setenv("CLLM_CPU_ISA", "not-an-isa", 1);
  expect(cllm::cpu::select_kernels().isa == cllm::cpu::best_isa(), "an unknown CLLM_CPU_ISA is ignored");
  unsetenv("CLLM_CPU_ISA");
  expect(cllm::cpu::select_kernels().isa == cllm::cpu::best_isa(), "without CLLM_CPU_ISA: the best ISA");
}

}  // namespace

int main() {
  using cllm::cpu::Isa;
  int tested = 0;
  for (int32_t level = 0; level < cllm::cpu::kIsaCount; ++level) {
    const Isa isa = Isa(level);
    const Kernels* k = cllm::cpu::kernels_for(isa);
    if (!k) {
      std::printf("cpu kernels: %s not available on this CPU or build, skipped\n", cllm::cpu::isa_name(isa));
      continue;
    }
    ++tested;
    test_matmul_packed(*k);
    test_matmul_packed_swiglu(*k);
    test_rmsnorm(*k);
    test_rope(*k);
    test_swiglu(*k);
    test_attention(*k);
    test_argmax(*k);
    test_public_api(isa);
    std::printf("cpu kernels: %s tested\n", k->name);
  }
  expect(tested >= 1, "at least the generic kernels exist");
  test_packing();
  test_select_from_environment();
  if (failures) {
    std::fprintf(stderr, "%d of %d check(s) failed\n", failures, checks);
    return 1;
  }
  std::printf("cpu kernels: all %d checks passed\n", checks);
  return 0;
}
