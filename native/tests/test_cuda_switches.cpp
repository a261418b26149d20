// The kernels behind the CUDA speed switches (native/cuda/NOTES.md, "Speed switches"), each with its
// switch ON against the switch OFF result and against the CPU twin:
//   - GEMM_PREFETCH: bit-identical to the plain GEMM (same consumption order) for every row count,
//     both paths, every epilogue, shapes whose warps have leftover chunks; and against cpu::matmul_rows;
//   - ROW_SPREAD: RMSNorm and RoPE/KV with several blocks per row bit-identical to one block per row;
//   - ROPE_TABLE: the table equals the host's double-precision cos/sin within one ulp, and RoPE from
//     the table is bit-identical to RoPE computed per pair (and close to cpu::rope_rows);
//   - ATTN_V2: against cpu::attention_rows, against the first variant, and row independence (a row
//     alone == the same row in a block, bit for bit), for both warp arrangements and both load widths;
//   - PDL: a chain of the per-layer kernels (RMSNorm, GEMM, RoPE/KV, attention, GEMM) launched with
//     programmatic dependent launch, on a stream and captured in a graph, equals the plain chain bit for
//     bit (the waits are in place); on devices below 9.0 the attribute is not set and it says so.
// Launcher argument checks run everywhere; the rest prints "SKIP: no CUDA device" without a GPU.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "attention.cuh"
#include "attention_v2_plan.hpp"
#include "cpu/cpu_kernels.hpp"
#include "cuda_test_util.hpp"
#include "gemm_rows.cuh"
#include "layout.hpp"
#include "rmsnorm.cuh"
#include "rope_kv.cuh"
#include "rope_table.hpp"
#include "row_spread.hpp"

using namespace cllm::cuda_test;
namespace cuda = cllm::cuda;

namespace {

using bf16 = __nv_bfloat16;
bf16* as_bf16(uint16_t* p) { return reinterpret_cast<bf16*>(p); }

int32_t width_for(int32_t rows) {
  int32_t width = 1;
  while (width < rows) width *= 2;
  return width;
}

template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

int32_t multiprocessors() {
  int device = 0, count = 1;
  TEST_CUDA(cudaGetDevice(&device));
  TEST_CUDA(cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, device));
  return count;
}

bool device_has_pdl() {
  int device = 0, major = 0, driver = 0;
  TEST_CUDA(cudaGetDevice(&device));
  TEST_CUDA(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
  TEST_CUDA(cudaDriverGetVersion(&driver));
  return major >= 9 && driver >= 12030;
}

// Bad switch arguments come back as cudaErrorInvalidValue before any CUDA call (runs without a GPU).
void test_launcher_checks() {
  std::printf("launcher argument checks\n");
  float dummy_f[4] = {};
  uint16_t dummy_h[4] = {};
  int32_t dummy_i[1] = {};
  cuda::LaunchOptions too_wide;
  too_wide.spread = cuda::kMaxSpread + 1;
  cuda::LaunchOptions none;
  none.spread = 0;
  expect(cuda::launch_rmsnorm_rows(dummy_f, 4, dummy_f, 4, 1e-5f, as_bf16(dummy_h), 4, nullptr, 1, nullptr, too_wide) ==
             cudaErrorInvalidValue,
         "RMSNorm rejects more than kMaxSpread blocks per row");
  expect(cuda::launch_rmsnorm_rows(dummy_f, 4, dummy_f, 4, 1e-5f, as_bf16(dummy_h), 4, nullptr, 1, nullptr, none) ==
             cudaErrorInvalidValue,
         "RMSNorm rejects 0 blocks per row");
  cuda::RopeKvArgs rope{};
  rope.qkv = dummy_f;
  rope.ld_qkv = 6;
  rope.n_heads = rope.n_kv_heads = 1;
  rope.head_dim = 2;
  rope.inv_freq = dummy_f;
  rope.length = dummy_i;
  rope.max_rows = 1;
  rope.q_out = dummy_f;
  rope.k_cache = rope.v_cache = as_bf16(dummy_h);
  rope.capacity = 1;
  expect(cuda::launch_rope_kv(rope, nullptr, none) == cudaErrorInvalidValue, "RoPE/KV rejects 0 blocks per row");
  expect(cuda::launch_rope_table(nullptr, 4, dummy_f, 2, nullptr) == cudaErrorInvalidValue, "RoPE table needs a table");
  expect(cuda::launch_rope_table(reinterpret_cast<float2*>(dummy_f), 4, dummy_f, 3, nullptr) == cudaErrorInvalidValue,
         "RoPE table needs an even head_dim");
  cuda::AttentionArgs att{};
  att.q = dummy_f;
  att.k_cache = att.v_cache = as_bf16(dummy_h);
  att.length = dummy_i;
  att.max_rows = 1;
  att.n_heads = att.n_kv_heads = 1;
  att.head_dim = 2;
  att.chunk = 32;
  att.num_splits = 1;
  att.partial_o = att.partial_ml = dummy_f;
  att.partial_rows = 1;
  att.out = as_bf16(dummy_h);
  att.ld_out = 2;
  att.version = 3;
  expect(cuda::launch_attention(att, nullptr) == cudaErrorInvalidValue, "attention rejects an unknown version");
  expect(cuda::prepare_attention_v2(3, 1) == cudaErrorInvalidValue, "attention v2 rejects an odd head_dim");
}

// ---- GEMM_PREFETCH ----

struct Gemm {
  int32_t in, out, ld, stored;
  std::vector<uint16_t> w_bits, x_bits;  // [stored][ld], [kMaxRows][ld]
  std::vector<float> w, x;               // bf16-rounded values, [out][in], [kMaxRows][in]
};

Gemm make_gemm(std::mt19937& rng, int32_t in, int32_t out) {
  Gemm g{in, out, cuda::gemm_ld(in), cuda::gemm_rows_padded(out), {}, {}, {}, {}};
  g.w = round_bf16(random_floats(rng, size_t(out) * in, 0.05f));
  g.x = round_bf16(random_floats(rng, size_t(cuda::kMaxRows) * in, 1.0f));
  g.w_bits.assign(size_t(g.stored) * g.ld, 0);
  g.x_bits.assign(size_t(cuda::kMaxRows) * g.ld, 0);
  for (int32_t o = 0; o < out; ++o) {
    for (int32_t i = 0; i < in; ++i) g.w_bits[size_t(o) * g.ld + i] = cllm::float_to_bf16(g.w[size_t(o) * in + i]);
  }
  for (int32_t r = 0; r < cuda::kMaxRows; ++r) {
    for (int32_t i = 0; i < in; ++i) g.x_bits[size_t(r) * g.ld + i] = cllm::float_to_bf16(g.x[size_t(r) * in + i]);
  }
  return g;
}

std::vector<float> run_gemm(const Gemm& g, int32_t rows, int32_t gemv, int32_t prefetch, cuda::GemmEpilogue e,
                            const std::vector<float>& y_init) {
  Buffer<uint16_t> dw(g.w_bits), dx(g.x_bits);
  Buffer<float> dy(y_init);
  Buffer<int32_t> active(std::vector<int32_t>{rows});
  cuda::GemmRowsArgs a{};
  a.w = as_bf16(dw.get());
  a.ld = g.ld;
  a.out_rows = g.out;
  a.out_features = g.out;
  a.x = as_bf16(dx.get());
  a.ld_x = g.ld;
  a.y = dy.get();
  a.ld_y = g.out;
  a.active_rows = active.get();
  a.max_rows = width_for(rows);
  a.gemv_max_rows = gemv;
  a.prefetch = prefetch;
  TEST_CUDA(cuda::launch_gemm_rows(a, e, nullptr));
  return dy.download();
}

void test_gemm_prefetch() {
  std::printf("GEMM_PREFETCH\n");
  std::mt19937 rng(11);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Chunks of 32 per warp (8 warps): 3 (some warps none), 32 (4 each), 65 (8-9), 131 (16-17), 344 (43).
  for (auto shape : {std::pair<int32_t, int32_t>{96, 40}, {1003, 517}, {2080, 48}, {4192, 100}, {11008, 64}}) {
    const Gemm g = make_gemm(rng, shape.first, shape.second);
    bool identical = true;
    double worst = 0;
    for (int32_t rows : {1, 3, 4, 5, 8, 9, 16, 17, 33, 64}) {
      for (int32_t gemv : {cuda::kGemvMaxRows, 0}) {
        const std::vector<float> poison(size_t(cuda::kMaxRows) * g.out, nan);
        const std::vector<float> plain = run_gemm(g, rows, gemv, 0, cuda::GemmEpilogue::kStore, poison);
        const std::vector<float> fast = run_gemm(g, rows, gemv, 1, cuda::GemmEpilogue::kStore, poison);
        identical &= same_bits(plain, fast);  // includes the untouched (NaN) rows
        std::vector<float> want(size_t(rows) * g.out);
        cllm::cpu::matmul_rows(want.data(), g.x.data(), g.w.data(), rows, g.in, g.out);
        worst = std::max(worst, cllm::testing::max_relative_error(
                                    std::vector<float>(fast.begin(), fast.begin() + size_t(rows) * g.out), want));
      }
    }
    const std::vector<float> residual = random_floats(rng, size_t(cuda::kMaxRows) * g.out, 1.0f);
    for (int32_t rows : {2, 24}) {
      identical &= same_bits(run_gemm(g, rows, cuda::kGemvMaxRows, 0, cuda::GemmEpilogue::kAccumulate, residual),
                             run_gemm(g, rows, cuda::kGemvMaxRows, 1, cuda::GemmEpilogue::kAccumulate, residual));
    }
    char what[120];
    std::snprintf(what, sizeof what, "prefetch == plain, bit for bit (in %d, out %d)", g.in, g.out);
    expect(identical, what);
    std::snprintf(what, sizeof what, "prefetch vs cpu::matmul_rows (in %d, out %d)", g.in, g.out);
    std::printf("  %-56s rel err %.3g\n", what, worst);
    expect(worst <= 1e-4, what);
  }
  // SwiGLU epilogue (bf16 output) through the prefetch variant: same bits as the plain one.
  const Gemm g = make_gemm(rng, 1003, 2 * cuda::swiglu_hidden_padded(200));
  for (int32_t rows : {1, 13, 40}) {
    const int32_t hidden = 200, ld_y = cuda::gemm_ld(hidden);
    std::vector<std::vector<uint16_t>> outputs;
    for (int32_t prefetch : {0, 1}) {
      Buffer<uint16_t> dw(g.w_bits), dx(g.x_bits), dy(size_t(cuda::kMaxRows) * ld_y);
      Buffer<int32_t> active(std::vector<int32_t>{rows});
      cuda::GemmRowsArgs a{};
      a.w = as_bf16(dw.get());
      a.ld = g.ld;
      a.out_rows = g.out;
      a.out_features = hidden;
      a.x = as_bf16(dx.get());
      a.ld_x = g.ld;
      a.y = dy.get();
      a.ld_y = ld_y;
      a.active_rows = active.get();
      a.max_rows = width_for(rows);
      a.gemv_max_rows = cuda::kGemvMaxRows;
      a.prefetch = prefetch;
      TEST_CUDA(cuda::launch_gemm_rows(a, cuda::GemmEpilogue::kSwiGLU, nullptr));
      outputs.push_back(dy.download());
    }
    expect(same_bits(outputs[0], outputs[1]), "prefetch == plain, bit for bit (SwiGLU epilogue)");
  }
}

// ---- ROW_SPREAD (RMSNorm) ----

void test_rmsnorm_spread() {
  std::printf("ROW_SPREAD: RMSNorm\n");
  std::mt19937 rng(12);
  for (int32_t dim : {100, 384, 4096, 5000}) {
    const int32_t rows = 5, ld = cuda::gemm_ld(dim);
    const std::vector<float> x = random_floats(rng, size_t(cuda::kMaxRows) * dim, 3.0f);
    std::vector<float> weight = random_floats(rng, size_t(dim), 0.1f);
    for (auto& v : weight) v += 1.0f;
    Buffer<float> dx(x), dw(weight);
    Buffer<int32_t> active(std::vector<int32_t>{rows});
    std::vector<uint16_t> reference;
    bool identical = true;
    for (int32_t spread : {1, 2, 3, 7, cuda::kMaxSpread}) {
      Buffer<uint16_t> dout(size_t(cuda::kMaxRows) * ld);
      cuda::LaunchOptions options;
      options.spread = spread;
      TEST_CUDA(cuda::launch_rmsnorm_rows(dx.get(), dim, dw.get(), dim, 1e-5f, as_bf16(dout.get()), ld, active.get(), 8,
                                          nullptr, options));
      const std::vector<uint16_t> out = dout.download();
      if (spread == 1)
        reference = out;
      else
        identical &= same_bits(reference, out);
    }
    expect(identical, "RMSNorm spread over blocks == one block per row, bit for bit");
    std::vector<float> want(size_t(rows) * dim), got(size_t(rows) * dim);
    cllm::cpu::rmsnorm_rows(want.data(), x.data(), weight.data(), rows, dim, 1e-5f);
    const std::vector<float> out = from_bf16(reference);
    for (int32_t r = 0; r < rows; ++r) std::copy_n(out.begin() + size_t(r) * ld, dim, got.begin() + size_t(r) * dim);
    expect_close(got, want, 8e-3, "RMSNorm vs cpu::rmsnorm_rows");
  }
}

// ---- ROPE_TABLE and ROW_SPREAD (RoPE/KV) ----

struct RopeCase {
  int32_t n_heads, n_kv_heads, head_dim, rows, length, capacity;
  float theta;
};

void test_rope_switches() {
  std::printf("ROPE_TABLE, ROW_SPREAD: RoPE/KV\n");
  std::mt19937 rng(13);
  for (const RopeCase& c : {RopeCase{8, 2, 48, 6, 1000, 1100, 10000.0f},
                            RopeCase{8, 1, 128, 16, 100000, 100020, 500000.0f}, RopeCase{4, 4, 2, 1, 0, 8, 10000.0f}}) {
    const int32_t half = c.head_dim / 2, q_dim = c.n_heads * c.head_dim, kv_dim = c.n_kv_heads * c.head_dim;
    const int32_t ld = q_dim + 2 * kv_dim;
    const std::vector<float> qkv = random_floats(rng, size_t(cuda::kMaxRows) * ld, 1.0f);
    std::vector<float> inv_freq(static_cast<size_t>(half));
    for (int32_t i = 0; i < half; ++i) inv_freq[size_t(i)] = cuda::rope_inv_freq(i, c.head_dim, c.theta);
    Buffer<float> dqkv(qkv), dfreq(inv_freq);
    Buffer<int32_t> dlength(std::vector<int32_t>{c.length}), active(std::vector<int32_t>{c.rows});
    Buffer<float2> table(size_t(c.capacity) * half);
    TEST_CUDA(cuda::launch_rope_table(table.get(), c.capacity, dfreq.get(), c.head_dim, nullptr));
    // The table against the host's double-precision cos/sin of the same float angle (the device's
    // double sincos may differ from libm's in the last double bits: allow one float ulp).
    const std::vector<float2> host_table = table.download();
    int32_t worst_ulps = 0;
    for (int32_t p = std::max(0, c.length - 40); p < c.length + c.rows; ++p) {
      for (int32_t i = 0; i < half; ++i) {
        float cv = 0, sv = 0;
        cuda::rope_cos_sin_host(p, inv_freq[size_t(i)], &cv, &sv);
        const float2 e = host_table[size_t(cuda::rope_table_index(p, i, half))];
        const auto distance = [](float a, float b) {
          int32_t ia, ib;
          std::memcpy(&ia, &a, 4);
          std::memcpy(&ib, &b, 4);
          return int32_t(std::min<int64_t>(std::llabs(int64_t(ia) - int64_t(ib)), 1 << 20));
        };
        worst_ulps = std::max({worst_ulps, distance(e.x, cv), distance(e.y, sv)});
      }
    }
    std::printf("  table vs host double cos/sin: %d ulp at most\n", worst_ulps);
    expect(worst_ulps <= 1, "RoPE table entries equal the host's cos/sin within one ulp");

    struct Out {
      std::vector<float> q;
      std::vector<uint16_t> k, v;
    };
    auto run = [&](bool use_table, int32_t spread) {
      Buffer<float> dq(size_t(cuda::kMaxRows) * q_dim);
      Buffer<uint16_t> dk(size_t(c.capacity) * kv_dim), dv(size_t(c.capacity) * kv_dim);
      cuda::RopeKvArgs a{};
      a.qkv = dqkv.get();
      a.ld_qkv = ld;
      a.n_heads = c.n_heads;
      a.n_kv_heads = c.n_kv_heads;
      a.head_dim = c.head_dim;
      a.inv_freq = dfreq.get();
      a.length = dlength.get();
      a.active_rows = active.get();
      a.max_rows = width_for(c.rows);
      a.q_out = dq.get();
      a.k_cache = as_bf16(dk.get());
      a.v_cache = as_bf16(dv.get());
      a.capacity = c.capacity;
      a.cos_sin = use_table ? table.get() : nullptr;
      cuda::LaunchOptions options;
      options.spread = spread;
      TEST_CUDA(cuda::launch_rope_kv(a, nullptr, options));
      return Out{dq.download(), dk.download(), dv.download()};
    };
    const Out plain = run(false, 1);
    bool identical = true;
    for (bool use_table : {false, true}) {
      for (int32_t spread : {1, 3, cuda::kMaxSpread}) {
        if (!use_table && spread == 1) continue;
        const Out o = run(use_table, spread);
        identical &= same_bits(o.q, plain.q) && same_bits(o.k, plain.k) && same_bits(o.v, plain.v);
      }
    }
    expect(identical, "RoPE/KV with the table and/or spread == plain, bit for bit");
    // And the table path against the CPU twin.
    const Out fast = run(true, cuda::kMaxSpread);
    std::vector<float> q(size_t(c.rows) * q_dim), k(size_t(c.rows) * kv_dim);
    for (int32_t r = 0; r < c.rows; ++r) {
      std::copy_n(qkv.begin() + size_t(r) * ld, q_dim, q.begin() + size_t(r) * q_dim);
      std::copy_n(qkv.begin() + size_t(r) * ld + q_dim, kv_dim, k.begin() + size_t(r) * kv_dim);
    }
    cllm::cpu::rope_rows(q.data(), c.rows, c.n_heads, c.head_dim, c.length, c.theta);
    cllm::cpu::rope_rows(k.data(), c.rows, c.n_kv_heads, c.head_dim, c.length, c.theta);
    expect_close(std::vector<float>(fast.q.begin(), fast.q.begin() + q.size()), q, 1e-4,
                 "table RoPE q vs cpu::rope_rows");
    const std::vector<float> cache_k = from_bf16(fast.k);
    expect_close(std::vector<float>(cache_k.begin() + size_t(c.length) * kv_dim,
                                    cache_k.begin() + size_t(c.length + c.rows) * kv_dim),
                 k, 8e-3, "table RoPE keys (bf16 cache) vs cpu::rope_rows");
  }
}

// ---- ATTN_V2 ----

struct AttentionCase {
  int32_t n_heads, n_kv_heads, head_dim, length, rows, capacity, chunk;  // chunk 0: the session's rule
};

struct AttentionData {
  std::vector<float> q;
  std::vector<uint16_t> k, v;
};

std::vector<float> run_attention(const AttentionCase& c, const AttentionData& d, int32_t version, int32_t length,
                                 int32_t rows, int32_t first_row, int32_t max_rows) {
  const int32_t group = c.n_heads / c.n_kv_heads, q_dim = c.n_heads * c.head_dim;
  const int32_t chunk =
      version == 2 ? (c.chunk ? c.chunk : cuda::attention_v2_chunk(c.capacity, c.n_kv_heads, group, multiprocessors()))
                   : cuda::attention_chunk(c.capacity);
  const int32_t splits = cuda::attention_v2_splits(c.capacity, chunk);
  std::vector<float> q(size_t(cuda::kMaxRows) * q_dim, 0.0f);
  std::copy(d.q.begin() + size_t(first_row) * q_dim, d.q.begin() + size_t(first_row + rows) * q_dim, q.begin());
  Buffer<float> dq(q), po(size_t(splits) * cuda::kMaxRows * c.n_heads * c.head_dim),
      pml(size_t(splits) * cuda::kMaxRows * c.n_heads * 2);
  Buffer<uint16_t> dk(d.k), dv(d.v), dout(size_t(cuda::kMaxRows) * cuda::gemm_ld(q_dim));
  Buffer<int32_t> dlength(std::vector<int32_t>{length}), active(std::vector<int32_t>{rows});
  cuda::AttentionArgs a{};
  a.q = dq.get();
  a.k_cache = as_bf16(dk.get());
  a.v_cache = as_bf16(dv.get());
  a.length = dlength.get();
  a.active_rows = active.get();
  a.max_rows = max_rows;
  a.n_heads = c.n_heads;
  a.n_kv_heads = c.n_kv_heads;
  a.head_dim = c.head_dim;
  a.chunk = chunk;
  a.num_splits = splits;
  a.partial_o = po.get();
  a.partial_ml = pml.get();
  a.partial_rows = cuda::kMaxRows;
  a.out = as_bf16(dout.get());
  a.ld_out = cuda::gemm_ld(q_dim);
  a.scale = 1.0f / std::sqrt(float(c.head_dim));
  a.version = version;
  TEST_CUDA(cuda::prepare_attention(c.head_dim));
  TEST_CUDA(cuda::prepare_attention_v2(c.head_dim, group));
  TEST_CUDA(cuda::launch_attention(a, nullptr));
  const std::vector<float> out = from_bf16(dout.download());
  std::vector<float> got(size_t(rows) * q_dim);
  for (int32_t r = 0; r < rows; ++r)
    std::copy_n(out.begin() + size_t(r) * a.ld_out, q_dim, got.begin() + size_t(r) * q_dim);
  return got;
}

void test_attention_v2() {
  std::printf("ATTN_V2\n");
  std::mt19937 rng(14);
  // group 4 and 8: warps over queries; group 1, 2, 3: warps over positions. head_dim 36: 4-byte loads.
  for (const AttentionCase& c : {AttentionCase{8, 2, 48, 600, 7, 1000, 0}, AttentionCase{4, 4, 128, 37, 16, 64, 0},
                                 AttentionCase{2, 1, 256, 300, 3, 20000, 0}, AttentionCase{32, 8, 64, 0, 64, 512, 0},
                                 AttentionCase{6, 2, 36, 200, 5, 700, 0}, AttentionCase{32, 32, 128, 1000, 16, 1100, 0},
                                 AttentionCase{32, 4, 64, 1500, 9, 2048, 0}, AttentionCase{4, 4, 64, 700, 4, 1024, 512},
                                 AttentionCase{16, 8, 64, 90, 2, 4096, 128}}) {
    const int32_t q_dim = c.n_heads * c.head_dim, kv_dim = c.n_kv_heads * c.head_dim, group = c.n_heads / c.n_kv_heads;
    AttentionData d;
    d.q = random_floats(rng, size_t(cuda::kMaxRows) * q_dim, 1.0f);
    d.k = to_bf16(random_floats(rng, size_t(c.capacity) * kv_dim, 1.0f));
    d.v = to_bf16(random_floats(rng, size_t(c.capacity) * kv_dim, 1.0f));
    const std::vector<float> got = run_attention(c, d, 2, c.length, c.rows, 0, width_for(c.rows));
    const std::vector<float> kf = from_bf16(d.k), vf = from_bf16(d.v);
    std::vector<float> want(size_t(c.rows) * q_dim), scores(size_t(c.rows) * c.n_heads * size_t(c.length + c.rows));
    cllm::cpu::attention_rows(want.data(), d.q.data(), kf.data(), vf.data(), c.rows, c.n_heads, c.n_kv_heads,
                              c.head_dim, c.length, scores.data());
    char what[160];
    std::snprintf(what, sizeof what, "v2 heads %d/%d dim %d at %d, %d rows (P=%d)", c.n_heads, c.n_kv_heads, c.head_dim,
                  c.length, c.rows, cuda::attention_v2_position_groups(group));
    expect_close(got, want, 1e-2, what);
    expect_close(got, run_attention(c, d, 1, c.length, c.rows, 0, width_for(c.rows)), 1e-2,
                 "  v2 vs the first variant");
    // Row independence: the last row alone (at its position) and the first row in a launch sized for 64
    // rows equal the same rows of the block, bit for bit.
    const int32_t r = c.rows - 1;
    const std::vector<float> single = run_attention(c, d, 2, c.length + r, 1, r, 1);
    expect(std::memcmp(single.data(), got.data() + size_t(r) * q_dim, sizeof(float) * q_dim) == 0,
           "v2: a row alone == the same row in a block, bit for bit");
    const std::vector<float> wide = run_attention(c, d, 2, c.length, 1, 0, cuda::kMaxRows);
    expect(std::memcmp(wide.data(), got.data(), sizeof(float) * q_dim) == 0,
           "v2: row 0 is the same bits whatever the launch width");
  }
}

// ---- PDL: a chain of the per-layer kernels ----

struct Layer {
  int32_t dim = 256, n_heads = 4, n_kv_heads = 2, head_dim = 64, wide = 16384, capacity = 300;
  int32_t q_dim() const { return n_heads * head_dim; }
  int32_t kv_dim() const { return n_kv_heads * head_dim; }
  int32_t qkv() const { return q_dim() + 2 * kv_dim(); }
};

// Host data of the chain, made once: padded bf16 matrices, norm weights, residual, caches.
struct ChainData {
  std::vector<uint16_t> wqkv, wo, wide, down, k_cache, v_cache;
  std::vector<float> norm, x, inv_freq;
};

ChainData make_chain_data(const Layer& L) {
  std::mt19937 rng(21);
  auto matrix = [&](int32_t out, int32_t in) {
    std::vector<uint16_t> bits(size_t(cuda::gemm_rows_padded(out)) * cuda::gemm_ld(in), 0);
    const std::vector<uint16_t> values = to_bf16(random_floats(rng, size_t(out) * in, 0.03f));
    for (int32_t o = 0; o < out; ++o) {
      std::copy_n(values.begin() + size_t(o) * in, in, bits.begin() + size_t(o) * cuda::gemm_ld(in));
    }
    return bits;
  };
  ChainData d;
  d.wqkv = matrix(L.qkv(), L.dim);
  d.wo = matrix(L.dim, L.q_dim());
  d.wide = matrix(L.wide, L.dim);
  d.down = matrix(L.dim, L.wide);
  d.norm = random_floats(rng, size_t(L.dim), 0.1f);
  for (auto& v : d.norm) v += 1.0f;
  d.x = random_floats(rng, size_t(cuda::kMaxRows) * L.dim, 1.0f);
  d.k_cache = to_bf16(random_floats(rng, size_t(L.capacity) * L.kv_dim(), 1.0f));
  d.v_cache = to_bf16(random_floats(rng, size_t(L.capacity) * L.kv_dim(), 1.0f));
  d.inv_freq.resize(size_t(L.head_dim / 2));
  for (int32_t i = 0; i < L.head_dim / 2; ++i) d.inv_freq[size_t(i)] = cuda::rope_inv_freq(i, L.head_dim, 10000.0f);
  return d;
}

struct ChainResult {
  std::vector<float> x;
  std::vector<uint16_t> k;
};

// rmsnorm -> qkv GEMM -> RoPE/KV -> attention -> wo GEMM (accumulate) -> rmsnorm -> a wide GEMM (the
// longest kernel, so the next one really starts early) -> rmsnorm -> down GEMM (accumulate), twice.
// switches: GEMM prefetch, row spread, RoPE table and attention v2 as well.
ChainResult run_chain(const Layer& L, const ChainData& d, bool pdl, bool switches, bool graph) {
  const int32_t rows = 3, ld_dim = cuda::gemm_ld(L.dim), ld_q = cuda::gemm_ld(L.q_dim());
  const int32_t wide_out = L.wide, ld_wide = cuda::gemm_ld(wide_out);
  Buffer<uint16_t> wqkv(d.wqkv), wo(d.wo), wide(d.wide), down(d.down);
  Buffer<float> x(d.x), norm(d.norm), freq(d.inv_freq);
  Buffer<uint16_t> xb(size_t(cuda::kMaxRows) * ld_dim), attn(size_t(cuda::kMaxRows) * ld_q),
      act(size_t(cuda::kMaxRows) * ld_wide);
  Buffer<float> qkv(size_t(cuda::kMaxRows) * L.qkv()), q(size_t(cuda::kMaxRows) * L.q_dim()),
      wide_y(size_t(cuda::kMaxRows) * wide_out);
  Buffer<uint16_t> k_cache(d.k_cache), v_cache(d.v_cache);
  // The wide GEMM's fp32 output feeds the down GEMM as bf16 through an RMSNorm of its own width.
  Buffer<float> wide_norm_w(std::vector<float>(size_t(wide_out), 1.0f));
  Buffer<float2> table(size_t(L.capacity) * (L.head_dim / 2));
  Buffer<int32_t> length(std::vector<int32_t>{200}), active(std::vector<int32_t>{rows});
  const int32_t group = L.n_heads / L.n_kv_heads;
  const int32_t chunk = switches ? cuda::attention_v2_chunk(L.capacity, L.n_kv_heads, group, multiprocessors())
                                 : cuda::attention_chunk(L.capacity);
  const int32_t splits = cuda::attention_v2_splits(L.capacity, chunk);
  Buffer<float> po(size_t(splits) * cuda::kMaxRows * L.n_heads * L.head_dim),
      pml(size_t(splits) * cuda::kMaxRows * L.n_heads * 2);
  TEST_CUDA(cuda::launch_rope_table(table.get(), L.capacity, freq.get(), L.head_dim, nullptr));
  TEST_CUDA(cuda::prepare_attention(L.head_dim));
  TEST_CUDA(cuda::prepare_attention_v2(L.head_dim, group));
  TEST_CUDA(cudaDeviceSynchronize());

  cudaStream_t stream;
  TEST_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  cuda::LaunchOptions options;
  options.pdl = pdl;
  options.spread = switches ? cuda::spread_blocks_per_row(4, multiprocessors()) : 1;
  auto gemm = [&](const Buffer<uint16_t>& w, int32_t out, int32_t in, const Buffer<uint16_t>& in_x, int32_t ld_x,
                  void* y, int32_t ld_y, cuda::GemmEpilogue e) {
    cuda::GemmRowsArgs a{};
    a.w = as_bf16(w.get());
    a.ld = cuda::gemm_ld(in);
    a.out_rows = out;
    a.out_features = out;
    a.x = as_bf16(in_x.get());
    a.ld_x = ld_x;
    a.y = y;
    a.ld_y = ld_y;
    a.active_rows = active.get();
    a.max_rows = 4;
    a.gemv_max_rows = cuda::kGemvMaxRows;
    a.prefetch = switches ? 1 : 0;
    a.early_weights = pdl ? 1 : 0;
    TEST_CUDA(cuda::launch_gemm_rows(a, e, stream, options));
  };
  auto record = [&]() {
    for (int layer = 0; layer < 2; ++layer) {
      TEST_CUDA(cuda::launch_rmsnorm_rows(x.get(), L.dim, norm.get(), L.dim, 1e-5f, as_bf16(xb.get()), ld_dim,
                                          active.get(), 4, stream, options));
      gemm(wqkv, L.qkv(), L.dim, xb, ld_dim, qkv.get(), L.qkv(), cuda::GemmEpilogue::kStore);
      cuda::RopeKvArgs r{};
      r.qkv = qkv.get();
      r.ld_qkv = L.qkv();
      r.n_heads = L.n_heads;
      r.n_kv_heads = L.n_kv_heads;
      r.head_dim = L.head_dim;
      r.inv_freq = freq.get();
      r.length = length.get();
      r.active_rows = active.get();
      r.max_rows = 4;
      r.q_out = q.get();
      r.k_cache = as_bf16(k_cache.get());
      r.v_cache = as_bf16(v_cache.get());
      r.capacity = L.capacity;
      r.cos_sin = switches ? table.get() : nullptr;
      TEST_CUDA(cuda::launch_rope_kv(r, stream, options));
      cuda::AttentionArgs a{};
      a.q = q.get();
      a.k_cache = as_bf16(k_cache.get());
      a.v_cache = as_bf16(v_cache.get());
      a.length = length.get();
      a.active_rows = active.get();
      a.max_rows = 4;
      a.n_heads = L.n_heads;
      a.n_kv_heads = L.n_kv_heads;
      a.head_dim = L.head_dim;
      a.chunk = chunk;
      a.num_splits = splits;
      a.partial_o = po.get();
      a.partial_ml = pml.get();
      a.partial_rows = cuda::kMaxRows;
      a.out = as_bf16(attn.get());
      a.ld_out = ld_q;
      a.scale = 0.125f;
      a.version = switches ? 2 : 1;
      TEST_CUDA(cuda::launch_attention(a, stream, options));
      gemm(wo, L.dim, L.q_dim(), attn, ld_q, x.get(), L.dim, cuda::GemmEpilogue::kAccumulate);
      TEST_CUDA(cuda::launch_rmsnorm_rows(x.get(), L.dim, norm.get(), L.dim, 1e-5f, as_bf16(xb.get()), ld_dim,
                                          active.get(), 4, stream, options));
      gemm(wide, wide_out, L.dim, xb, ld_dim, wide_y.get(), wide_out, cuda::GemmEpilogue::kStore);
      TEST_CUDA(cuda::launch_rmsnorm_rows(wide_y.get(), wide_out, wide_norm_w.get(), wide_out, 1e-5f,
                                          as_bf16(act.get()), ld_wide, active.get(), 4, stream, options));
      gemm(down, L.dim, wide_out, act, ld_wide, x.get(), L.dim, cuda::GemmEpilogue::kAccumulate);
    }
  };
  if (graph) {
    cudaGraph_t g = nullptr;
    cudaGraphExec_t exec = nullptr;
    TEST_CUDA(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
    record();
    TEST_CUDA(cudaStreamEndCapture(stream, &g));
    TEST_CUDA(cudaGraphInstantiate(&exec, g, 0));
    TEST_CUDA(cudaGraphLaunch(exec, stream));
    TEST_CUDA(cudaStreamSynchronize(stream));
    cudaGraphExecDestroy(exec);
    cudaGraphDestroy(g);
  } else {
    record();
  }
  TEST_CUDA(cudaStreamSynchronize(stream));
  TEST_CUDA(cudaStreamDestroy(stream));
  return ChainResult{x.download(), k_cache.download()};
}

void test_pdl_chain() {
  const bool pdl = device_has_pdl();
  std::printf("PDL chain (%s)\n",
              pdl ? "programmatic dependent launch" : "device below 9.0 or driver < 12.3: plain launches");
  const Layer L;
  const ChainData d = make_chain_data(L);
  const ChainResult plain = run_chain(L, d, false, false, false);
  const ChainResult with_pdl = run_chain(L, d, pdl, false, false);
  const ChainResult graph_pdl = run_chain(L, d, pdl, false, true);
  expect(same_bits(plain.x, with_pdl.x) && same_bits(plain.k, with_pdl.k),
         "PDL chain on a stream == plain, bit for bit");
  expect(same_bits(plain.x, graph_pdl.x) && same_bits(plain.k, graph_pdl.k),
         "PDL chain in a graph == plain, bit for bit");
  // Every switch on: only attention v2 rounds differently, so the chain stays close.
  const ChainResult all = run_chain(L, d, pdl, true, true);
  const ChainResult all_plain = run_chain(L, d, false, true, false);
  expect(same_bits(all.x, all_plain.x) && same_bits(all.k, all_plain.k),
         "all switches: PDL in a graph == the same kernels launched plainly, bit for bit");
  expect_close(all.x, plain.x, 2e-2, "all switches vs none (residual after two layers)");
}

}  // namespace

int main() {
  test_launcher_checks();
  if (!have_device()) return failures ? 1 : 0;
  cudaDeviceProp props{};
  TEST_CUDA(cudaGetDeviceProperties(&props, 0));
  std::printf("device: %s (cc %d.%d, %d SMs)\n", props.name, props.major, props.minor, props.multiProcessorCount);
  test_gemm_prefetch();
  test_rmsnorm_spread();
  test_rope_switches();
  test_attention_v2();
  test_pdl_chain();
  if (failures) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("cuda switches: all checks passed\n");
  return 0;
}
