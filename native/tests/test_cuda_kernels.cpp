// Every CUDA kernel family against its CPU twin (native/src/cpu/cpu_kernels.hpp, jacobi_state.hpp):
// fp32 results of exact bf16 inputs (the GEMM) to 1e-4, bf16-rounded outputs to their rounding, exact
// where the arithmetic is the same. Also checks that
// rows past the device-resident row count are left untouched and that a row's result does not depend
// on how many rows run with it (what makes Jacobi output equal AR output on the GPU).
// Prints "SKIP: no CUDA device" and passes on a machine without a GPU.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "argmax.cuh"
#include "attention.cuh"
#include "convert.cuh"
#include "cpu/cpu_kernels.hpp"
#include "cuda_test_util.hpp"
#include "embedding.cuh"
#include "gemm_rows.cuh"
#include "jacobi.cuh"
#include "layout.hpp"
#include "rmsnorm.cuh"
#include "rope_kv.cuh"
#ifdef CLLM_HAVE_CUBLAS
#include "gemm_cublas.cuh"
#endif

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

// A weight matrix in the GEMM layout (padded rows and columns) plus its values as the device sees them.
struct PaddedMatrix {
  int32_t out, in, ld, stored_rows;
  std::vector<uint16_t> bits;  // [stored_rows][ld]
  std::vector<float> values;   // [out][in], bf16-rounded
};

PaddedMatrix random_matrix(std::mt19937& rng, int32_t out, int32_t in) {
  PaddedMatrix m{out, in, cuda::gemm_ld(in), cuda::gemm_rows_padded(out), {}, {}};
  m.values = round_bf16(random_floats(rng, size_t(out) * in, 0.05f));
  m.bits.assign(size_t(m.stored_rows) * m.ld, 0);
  for (int32_t o = 0; o < out; ++o) {
    for (int32_t i = 0; i < in; ++i) m.bits[size_t(o) * m.ld + i] = cllm::float_to_bf16(m.values[size_t(o) * in + i]);
  }
  return m;
}

struct Activations {
  int32_t rows, in, ld;
  std::vector<uint16_t> bits;  // [rows][ld]
  std::vector<float> values;   // [rows][in]
};

Activations random_activations(std::mt19937& rng, int32_t rows, int32_t in) {
  Activations a{rows, in, cuda::gemm_ld(in), {}, {}};
  a.values = round_bf16(random_floats(rng, size_t(rows) * in, 1.0f));
  a.bits.assign(size_t(rows) * a.ld, 0);
  for (int32_t r = 0; r < rows; ++r) {
    for (int32_t i = 0; i < in; ++i) a.bits[size_t(r) * a.ld + i] = cllm::float_to_bf16(a.values[size_t(r) * in + i]);
  }
  return a;
}

std::vector<float> run_gemm(const PaddedMatrix& w, const Activations& x, int32_t rows, int32_t gemv_rows,
                            cuda::GemmEpilogue epilogue, const std::vector<float>& y_init, int32_t out_features,
                            int32_t ld_y) {
  Buffer<uint16_t> dw(w.bits);
  Buffer<uint16_t> dx(x.bits);
  Buffer<float> dy(y_init);
  Buffer<int32_t> active(std::vector<int32_t>{rows});
  cuda::GemmRowsArgs a{};
  a.w = as_bf16(dw.get());
  a.ld = w.ld;
  a.out_rows = w.out;
  a.out_features = out_features;
  a.x = as_bf16(dx.get());
  a.ld_x = x.ld;
  a.y = dy.get();
  a.ld_y = ld_y;
  a.active_rows = active.get();
  a.max_rows = width_for(rows);
  a.gemv_max_rows = gemv_rows;
  TEST_CUDA(cuda::launch_gemm_rows(a, epilogue, nullptr));
  return dy.download();
}

std::vector<float> reference_matmul(const PaddedMatrix& w, const Activations& x, int32_t rows) {
  std::vector<float> y(size_t(rows) * w.out);
  cllm::cpu::matmul_rows(y.data(), x.values.data(), w.values.data(), rows, w.in, w.out);
  return y;
}

// Inputs and weights are exact bf16 values and both sides accumulate in fp32, in different orders: the
// results differ by fp32 rounding alone (about 1e-6 of the largest output), so 1e-4 catches a wrong
// element, a dropped chunk or a bf16-rounded accumulator, which 2e-2 would let through.
constexpr double kGemmTolerance = 1e-4;
// The SwiGLU epilogue rounds its output to bf16 (half an ulp, 2^-9 relative, at most) after silu with
// the fast-math exponential: one bf16 ulp (2^-8) bounds that with room to spare.
constexpr double kBf16OutputTolerance = 1.0 / 256.0;

void test_gemm() {
  std::printf("gemm_rows\n");
  std::mt19937 rng(1);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Each warp of a block reduces chunks [w * C / 8, (w + 1) * C / 8) of the C = ld / 32 chunks of 32 k,
  // first kUnroll = 4 at a time, then one at a time (gemm_rows.cu). So a warp runs the unrolled loop
  // when it has >= 4 chunks and the remainder loop when its count is not a multiple of 4:
  //   in 1003: ld 1024, C 32: 4 chunks per warp       -> unrolled only
  //   in   64: ld   64, C  2: 0 or 1 chunk per warp   -> remainder only (most warps idle)
  //   in 4096: ld 4096, C 128: 16 per warp            -> unrolled only
  //   in  768: ld  768, C 24: 3 per warp              -> remainder only
  //   in 11008 (the 7B down projection): C 344, 43 per warp -> 10 unrolled steps, then 3 single chunks
  //   in 1409: ld 1440, C 45: 5 or 6 per warp (uneven split, padded k) -> 1 unrolled step, then 1 or 2
  for (auto shape :
       {std::pair<int32_t, int32_t>{1003, 517}, {64, 16}, {4096, 1000}, {768, 2304}, {11008, 200}, {1409, 48}}) {
    const int32_t in = shape.first, out = shape.second;
    const PaddedMatrix w = random_matrix(rng, out, in);
    const Activations x = random_activations(rng, cuda::kMaxRows, in);
    std::vector<float> first_rows_mma, first_rows_fma;
    for (int32_t rows : {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 64}) {
      for (int32_t gemv : {cuda::kGemvMaxRows, 0}) {
        // Poison every row: the active ones must be written, the others left alone.
        const std::vector<float> poison(size_t(cuda::kMaxRows) * out, nan);
        const std::vector<float> y = run_gemm(w, x, rows, gemv, cuda::GemmEpilogue::kStore, poison, out, out);
        const std::vector<float> got(y.begin(), y.begin() + size_t(rows) * out);
        const std::vector<float> want = reference_matmul(w, x, rows);
        char what[160];
        std::snprintf(what, sizeof what, "store in=%d out=%d rows=%d %s", in, out, rows,
                      gemv && rows <= gemv ? "gemv" : "mma");
        expect_close(got, want, kGemmTolerance, what);
        bool untouched = true;
        for (size_t i = size_t(rows) * out; i < y.size(); ++i) untouched &= std::isnan(y[i]);
        expect(untouched, "rows past the active count stay untouched");
        // Row independence: the first row's bits match whatever the row count (same path).
        const std::vector<float> first(y.begin(), y.begin() + out);
        const bool mma_path = gemv == 0 || rows > cuda::kGemvMaxRows;
        std::vector<float>& keep = mma_path ? first_rows_mma : first_rows_fma;
        if (keep.empty()) keep = first;
        expect(std::memcmp(keep.data(), first.data(), sizeof(float) * out) == 0,
               "row 0 is bit-identical for every row count on one path");
      }
    }
    // Accumulate into a residual, on both paths (3 rows: GEMV when opted in; 24 rows: always MMA).
    for (int32_t rows : {3, 24}) {
      for (int32_t gemv : {cuda::kGemvMaxRows, 0}) {
        const std::vector<float> residual = random_floats(rng, size_t(cuda::kMaxRows) * out, 1.0f);
        const std::vector<float> y = run_gemm(w, x, rows, gemv, cuda::GemmEpilogue::kAccumulate, residual, out, out);
        std::vector<float> want(residual.begin(), residual.begin() + size_t(rows) * out);
        cllm::cpu::matmul_rows_accumulate(want.data(), x.values.data(), w.values.data(), rows, in, out);
        char what[160];
        std::snprintf(what, sizeof what, "accumulate in=%d out=%d rows=%d %s", in, out, rows,
                      gemv && rows <= gemv ? "gemv" : "mma");
        expect_close(std::vector<float>(y.begin(), y.begin() + size_t(rows) * out), want, kGemmTolerance, what);
      }
    }
  }
  // SwiGLU epilogue: gate and up interleaved in tiles of 16 rows.
  for (int32_t hidden : {1003, 64}) {
    const int32_t in = 384, padded = cuda::swiglu_hidden_padded(hidden);
    const PaddedMatrix gate = random_matrix(rng, hidden, in), up = random_matrix(rng, hidden, in);
    PaddedMatrix fused{2 * padded, in, cuda::gemm_ld(in), 2 * padded, {}, {}};
    fused.bits.assign(size_t(fused.stored_rows) * fused.ld, 0);
    for (int32_t j = 0; j < hidden; ++j) {
      std::copy_n(gate.bits.begin() + size_t(j) * gate.ld, in,
                  fused.bits.begin() + size_t(cuda::swiglu_gate_row(j)) * fused.ld);
      std::copy_n(up.bits.begin() + size_t(j) * up.ld, in,
                  fused.bits.begin() + size_t(cuda::swiglu_up_row(j)) * fused.ld);
    }
    const Activations x = random_activations(rng, cuda::kMaxRows, in);
    for (int32_t rows : {2, 13}) {
      const int32_t ld_y = cuda::gemm_ld(hidden);
      Buffer<uint16_t> dw(fused.bits), dx(x.bits), dy(size_t(cuda::kMaxRows) * ld_y);
      Buffer<int32_t> active(std::vector<int32_t>{rows});
      cuda::GemmRowsArgs a{};
      a.w = as_bf16(dw.get());
      a.ld = fused.ld;
      a.out_rows = fused.out;
      a.out_features = hidden;
      a.x = as_bf16(dx.get());
      a.ld_x = x.ld;
      a.y = dy.get();
      a.ld_y = ld_y;
      a.active_rows = active.get();
      a.max_rows = width_for(rows);
      a.gemv_max_rows = cuda::kGemvMaxRows;
      TEST_CUDA(cuda::launch_gemm_rows(a, cuda::GemmEpilogue::kSwiGLU, nullptr));
      const std::vector<float> y = from_bf16(dy.download());
      std::vector<float> g(size_t(rows) * hidden), u(size_t(rows) * hidden);
      cllm::cpu::matmul_rows(g.data(), x.values.data(), gate.values.data(), rows, in, hidden);
      cllm::cpu::matmul_rows(u.data(), x.values.data(), up.values.data(), rows, in, hidden);
      cllm::cpu::swiglu_rows(g.data(), u.data(), rows, hidden);
      std::vector<float> got(size_t(rows) * hidden);
      bool padding_zero = true;
      for (int32_t r = 0; r < rows; ++r) {
        for (int32_t j = 0; j < hidden; ++j) got[size_t(r) * hidden + j] = y[size_t(r) * ld_y + j];
        for (int32_t j = hidden; j < ld_y; ++j) padding_zero &= y[size_t(r) * ld_y + j] == 0.0f;
      }
      expect_close(got, g, kBf16OutputTolerance,
                   rows <= cuda::kGemvMaxRows ? "swiglu epilogue (gemv)" : "swiglu epilogue (mma)");
      expect(padding_zero, "swiglu leaves the padding columns zero");
    }
  }
#ifdef CLLM_HAVE_CUBLAS
  {
    cublasHandle_t handle;
    expect(cublasCreate(&handle) == CUBLAS_STATUS_SUCCESS, "cublasCreate");
    const PaddedMatrix w = random_matrix(rng, 1000, 4096);
    const Activations x = random_activations(rng, cuda::kMaxRows, 4096);
    Buffer<uint16_t> dw(w.bits), dx(x.bits);
    Buffer<float> dy(size_t(cuda::kMaxRows) * 1000);
    expect(cuda::cublas_gemm_rows(handle, as_bf16(dw.get()), w.ld, 1000, 4096, as_bf16(dx.get()), x.ld, 16, dy.get(),
                                  1000) == CUBLAS_STATUS_SUCCESS,
           "cublas gemm");
    std::vector<float> y = dy.download();
    y.resize(size_t(16) * 1000);
    expect_close(y, reference_matmul(w, x, 16), kGemmTolerance, "cuBLAS variant agrees with the CPU twin");
    cublasDestroy(handle);
  }
#endif
}

void test_rmsnorm() {
  std::printf("rmsnorm\n");
  std::mt19937 rng(2);
  for (int32_t dim : {384, 4096, 100}) {
    const int32_t rows = 5, ld = cuda::gemm_ld(dim);
    const std::vector<float> x = random_floats(rng, size_t(cuda::kMaxRows) * dim, 3.0f);
    std::vector<float> weight = random_floats(rng, size_t(dim), 0.1f);
    for (auto& v : weight) v += 1.0f;
    Buffer<float> dx(x), dw(weight);
    Buffer<uint16_t> dout(size_t(cuda::kMaxRows) * ld);
    Buffer<int32_t> active(std::vector<int32_t>{rows});
    TEST_CUDA(cuda::launch_rmsnorm_rows(dx.get(), dim, dw.get(), dim, 1e-5f, as_bf16(dout.get()), ld, active.get(), 8,
                                        nullptr));
    const std::vector<float> out = from_bf16(dout.download());
    std::vector<float> want(size_t(rows) * dim), got(size_t(rows) * dim);
    cllm::cpu::rmsnorm_rows(want.data(), x.data(), weight.data(), rows, dim, 1e-5f);
    bool rest_zero = true;
    for (int32_t r = 0; r < cuda::kMaxRows; ++r) {
      for (int32_t i = 0; i < ld; ++i) {
        const float v = out[size_t(r) * ld + i];
        if (r < rows && i < dim)
          got[size_t(r) * dim + i] = v;
        else
          rest_zero &= v == 0.0f;
      }
    }
    expect_close(got, want, 2e-2, "rmsnorm to bf16");
    expect(rest_zero, "rmsnorm writes only active rows and real columns");
  }
}

void test_rope_kv() {
  std::printf("rope_kv\n");
  std::mt19937 rng(3);
  const int32_t n_heads = 8, n_kv_heads = 2, head_dim = 48, rows = 6, length = 1000, capacity = 1100;
  const int32_t q_dim = n_heads * head_dim, kv_dim = n_kv_heads * head_dim, ld = q_dim + 2 * kv_dim;
  const float theta = 10000.0f;
  const std::vector<float> qkv = random_floats(rng, size_t(cuda::kMaxRows) * ld, 1.0f);
  std::vector<float> inv_freq(static_cast<size_t>(head_dim / 2));
  for (int32_t i = 0; i < head_dim / 2; ++i) {
    inv_freq[size_t(i)] = float(1.0 / std::pow(double(theta), double(2 * i) / double(head_dim)));
  }
  Buffer<float> dqkv(qkv), dfreq(inv_freq), dq(size_t(cuda::kMaxRows) * q_dim);
  Buffer<uint16_t> dk(size_t(capacity) * kv_dim), dv(size_t(capacity) * kv_dim);
  Buffer<int32_t> dlength(std::vector<int32_t>{length}), active(std::vector<int32_t>{rows});
  cuda::RopeKvArgs a{};
  a.qkv = dqkv.get();
  a.ld_qkv = ld;
  a.n_heads = n_heads;
  a.n_kv_heads = n_kv_heads;
  a.head_dim = head_dim;
  a.inv_freq = dfreq.get();
  a.length = dlength.get();
  a.active_rows = active.get();
  a.max_rows = 8;
  a.q_out = dq.get();
  a.k_cache = as_bf16(dk.get());
  a.v_cache = as_bf16(dv.get());
  a.capacity = capacity;
  TEST_CUDA(cuda::launch_rope_kv(a, nullptr));
  std::vector<float> q(size_t(rows) * q_dim), k(size_t(rows) * kv_dim), v(size_t(rows) * kv_dim);
  for (int32_t r = 0; r < rows; ++r) {
    std::copy_n(qkv.begin() + size_t(r) * ld, q_dim, q.begin() + size_t(r) * q_dim);
    std::copy_n(qkv.begin() + size_t(r) * ld + q_dim, kv_dim, k.begin() + size_t(r) * kv_dim);
    std::copy_n(qkv.begin() + size_t(r) * ld + q_dim + kv_dim, kv_dim, v.begin() + size_t(r) * kv_dim);
  }
  cllm::cpu::rope_rows(q.data(), rows, n_heads, head_dim, length, theta);
  cllm::cpu::rope_rows(k.data(), rows, n_kv_heads, head_dim, length, theta);
  std::vector<float> got_q = dq.download();
  got_q.resize(q.size());
  expect_close(got_q, q, 1e-4, "rotated queries (fp32)");
  const std::vector<float> cache_k = from_bf16(dk.download()), cache_v = from_bf16(dv.download());
  const std::vector<float> got_k(cache_k.begin() + size_t(length) * kv_dim,
                                 cache_k.begin() + size_t(length + rows) * kv_dim);
  const std::vector<float> got_v(cache_v.begin() + size_t(length) * kv_dim,
                                 cache_v.begin() + size_t(length + rows) * kv_dim);
  expect_close(got_k, k, 2e-2, "rotated keys in the bf16 cache");
  expect_close(got_v, v, 2e-2, "values in the bf16 cache");
  bool others_zero = true;
  for (size_t i = size_t(length + rows) * kv_dim; i < cache_k.size(); ++i) others_zero &= cache_k[i] == 0.0f;
  expect(others_zero, "no cache position past the active rows is written");
}

struct AttentionCase {
  int32_t n_heads, n_kv_heads, head_dim, length, rows, capacity;
};

std::vector<float> run_attention(const AttentionCase& c, const std::vector<float>& q, const std::vector<uint16_t>& k,
                                 const std::vector<uint16_t>& v, int32_t length, int32_t rows) {
  const int32_t splits = cuda::attention_splits(c.capacity), q_dim = c.n_heads * c.head_dim;
  Buffer<float> dq(q), po(size_t(splits) * cuda::kMaxRows * c.n_heads * c.head_dim),
      pml(size_t(splits) * cuda::kMaxRows * c.n_heads * 2);
  Buffer<uint16_t> dk(k), dv(v), dout(size_t(cuda::kMaxRows) * cuda::gemm_ld(q_dim));
  Buffer<int32_t> dlength(std::vector<int32_t>{length}), active(std::vector<int32_t>{rows});
  cuda::AttentionArgs a{};
  a.q = dq.get();
  a.k_cache = as_bf16(dk.get());
  a.v_cache = as_bf16(dv.get());
  a.length = dlength.get();
  a.active_rows = active.get();
  a.max_rows = width_for(rows);
  a.n_heads = c.n_heads;
  a.n_kv_heads = c.n_kv_heads;
  a.head_dim = c.head_dim;
  a.chunk = cuda::attention_chunk(c.capacity);
  a.num_splits = splits;
  a.partial_o = po.get();
  a.partial_ml = pml.get();
  a.partial_rows = cuda::kMaxRows;
  a.out = as_bf16(dout.get());
  a.ld_out = cuda::gemm_ld(q_dim);
  a.scale = 1.0f / std::sqrt(float(c.head_dim));
  TEST_CUDA(cuda::prepare_attention(c.head_dim));
  TEST_CUDA(cuda::launch_attention(a, nullptr));
  const std::vector<float> out = from_bf16(dout.download());
  std::vector<float> got(size_t(rows) * q_dim);
  for (int32_t r = 0; r < rows; ++r)
    std::copy_n(out.begin() + size_t(r) * a.ld_out, q_dim, got.begin() + size_t(r) * q_dim);
  return got;
}

void test_attention() {
  std::printf("attention\n");
  std::mt19937 rng(4);
  // Capacity 1000 and 4096 give chunks of 256 positions (4 and 16 splits): the cases at length 600,
  // 700 and 1000 merge 3 to 5 chunks. The 7B-like case (32 heads of 128, MHA) and its GQA twin (8 KV
  // heads) run the head dim and head counts the 7B decode runs.
  for (const AttentionCase& c :
       {AttentionCase{8, 2, 48, 600, 7, 1000}, AttentionCase{4, 4, 128, 37, 16, 64},
        AttentionCase{2, 1, 256, 300, 3, 20000}, AttentionCase{32, 8, 64, 0, 64, 512},
        AttentionCase{32, 32, 128, 700, 16, 4096}, AttentionCase{32, 8, 128, 1000, 16, 4096}}) {
    const int32_t q_dim = c.n_heads * c.head_dim, kv_dim = c.n_kv_heads * c.head_dim;
    const std::vector<float> q = random_floats(rng, size_t(cuda::kMaxRows) * q_dim, 1.0f);
    const std::vector<uint16_t> k = to_bf16(random_floats(rng, size_t(c.capacity) * kv_dim, 1.0f));
    const std::vector<uint16_t> v = to_bf16(random_floats(rng, size_t(c.capacity) * kv_dim, 1.0f));
    const std::vector<float> got = run_attention(c, q, k, v, c.length, c.rows);
    const std::vector<float> kf = from_bf16(k), vf = from_bf16(v);
    std::vector<float> want(size_t(c.rows) * q_dim), scores(size_t(c.rows) * c.n_heads * size_t(c.length + c.rows));
    cllm::cpu::attention_rows(want.data(), q.data(), kf.data(), vf.data(), c.rows, c.n_heads, c.n_kv_heads, c.head_dim,
                              c.length, scores.data());
    char what[160];
    std::snprintf(what, sizeof what, "heads %d/%d dim %d at %d, %d rows, %d splits", c.n_heads, c.n_kv_heads,
                  c.head_dim, c.length, c.rows, cuda::attention_splits(c.capacity));
    expect_close(got, want, 2e-2, what);
    // Row r of a multi-row call equals the single-row call at position length + r, bit for bit.
    const int32_t r = c.rows - 1;
    std::vector<float> q_single(q.begin() + size_t(r) * q_dim, q.end());
    q_single.resize(size_t(cuda::kMaxRows) * q_dim, 0.0f);
    const std::vector<float> single = run_attention(c, q_single, k, v, c.length + r, 1);
    expect(std::memcmp(single.data(), got.data() + size_t(r) * q_dim, sizeof(float) * q_dim) == 0,
           "attention row is bit-identical alone and in a block");
  }
}

void test_argmax_embedding_convert() {
  std::printf("argmax, embedding, convert\n");
  std::mt19937 rng(5);
  const int32_t cols = 32000, rows = 5;
  std::vector<float> logits = random_floats(rng, size_t(8) * cols, 1.0f);
  logits[size_t(1) * cols + 7] = 50.0f;  // a tie: the lower index wins
  logits[size_t(1) * cols + 31000] = 50.0f;
  Buffer<float> dl(logits);
  Buffer<int32_t> out(std::vector<int32_t>(8, -7)), active(std::vector<int32_t>{rows});
  TEST_CUDA(cuda::launch_argmax_rows_active(dl.get(), cols, active.get(), 8, cols, out.get(), nullptr));
  std::vector<int32_t> got = out.download(), want(static_cast<size_t>(rows));
  cllm::cpu::argmax_rows(want.data(), logits.data(), rows, cols);
  expect(std::equal(want.begin(), want.end(), got.begin()) && got[1] == 7, "argmax equals the CPU twin, ties low");
  expect(got[5] == -7 && got[7] == -7, "argmax leaves inactive rows alone");

  const int32_t vocab = 100, dim = 70, ld = cuda::gemm_ld(dim);
  const std::vector<float> table = round_bf16(random_floats(rng, size_t(vocab) * dim, 1.0f));
  std::vector<uint16_t> table_bits(size_t(vocab) * ld, 0);
  for (int32_t t = 0; t < vocab; ++t) {
    for (int32_t i = 0; i < dim; ++i) table_bits[size_t(t) * ld + i] = cllm::float_to_bf16(table[size_t(t) * dim + i]);
  }
  const std::vector<int32_t> tokens = {5, 99, 0, 42};
  Buffer<uint16_t> dtable(table_bits);
  Buffer<int32_t> dtokens(tokens);
  Buffer<float> dx(size_t(8) * dim);
  TEST_CUDA(cuda::launch_embed_rows(dtokens.get(), as_bf16(dtable.get()), ld, vocab, dim, dx.get(), dim, nullptr, 4,
                                    nullptr));
  const std::vector<float> x = dx.download();
  bool same = true;
  for (int32_t r = 0; r < 4; ++r) {
    for (int32_t i = 0; i < dim; ++i) same &= x[size_t(r) * dim + i] == table[size_t(tokens[size_t(r)]) * dim + i];
  }
  expect(same, "embedding rows equal the table rows");

  // Conversion of each source type into the padded, placed layout.
  const int32_t crows = 24, ccols = 50, cld = cuda::gemm_ld(ccols);
  const std::vector<float> values = random_floats(rng, size_t(crows) * ccols, 2.0f);
  std::vector<uint16_t> f16(values.size()), b16 = to_bf16(values);
  for (size_t i = 0; i < values.size(); ++i) f16[i] = cllm::float_to_f16(values[i]);
  for (int source = 0; source < 3; ++source) {
    for (int placement = 0; placement < 3; ++placement) {
      const int32_t stored = placement == 0 ? crows + 3 : 2 * cuda::swiglu_hidden_padded(crows);
      Buffer<uint16_t> dst(size_t(stored) * cld);
      const void* host = source == 0   ? static_cast<const void*>(values.data())
                         : source == 1 ? static_cast<const void*>(f16.data())
                                       : static_cast<const void*>(b16.data());
      const size_t bytes = values.size() * (source == 0 ? 4 : 2);
      Buffer<uint8_t> src(bytes);
      TEST_CUDA(cudaMemcpy(src.get(), host, bytes, cudaMemcpyHostToDevice));
      cuda::ConvertArgs a{};
      a.src = src.get();
      a.src_type = cuda::SourceType(source);
      a.rows = crows;
      a.cols = ccols;
      a.first_row = 0;
      a.dst = as_bf16(dst.get());
      a.ld_dst = cld;
      a.row_offset = placement == 0 ? 3 : 0;
      a.placement = cuda::RowPlacement(placement);
      TEST_CUDA(cuda::launch_convert_to_bf16(a, nullptr));
      const std::vector<uint16_t> converted = dst.download();
      bool ok = true;
      for (int32_t r = 0; r < crows; ++r) {
        const int64_t row = placement == 0 ? 3 + r : placement == 1 ? cuda::swiglu_gate_row(r) : cuda::swiglu_up_row(r);
        for (int32_t i = 0; i < ccols; ++i) {
          const size_t s = size_t(r) * ccols + i;
          const float expected = source == 0   ? cllm::bf16_to_float(cllm::float_to_bf16(values[s]))
                                 : source == 1 ? cllm::bf16_to_float(cllm::float_to_bf16(cllm::f16_to_float(f16[s])))
                                               : cllm::bf16_to_float(b16[s]);
          ok &= cllm::bf16_to_float(converted[size_t(row) * cld + i]) == expected;
        }
      }
      expect(ok, "weight conversion (dtype, placement) equals the host conversion");
    }
  }
}

void test_jacobi_kernels() {
  std::printf("jacobi\n");
  std::mt19937 rng(6);
  Buffer<cuda::JacobiState> device(1);
  for (int trial = 0; trial < 200; ++trial) {
    const int32_t n = 1 + int32_t(rng() % 30);
    cuda::JacobiBegin b{};
    b.length = int32_t(rng() % 100);
    b.rows = n;
    b.mode = cuda::kJacobiBlock;
    b.max_iterations = n;
    b.eos = int32_t(rng() % 12) - 2;
    b.record_states = 1;
    b.y0 = int32_t(rng() % 10);
    for (int32_t i = 0; i < n; ++i) b.tokens[i] = int32_t(rng() % 10);
    cuda::JacobiState host{};
    cuda::jacobi_begin(host.core, b);
    TEST_CUDA(cuda::launch_jacobi_begin(device.get(), b, nullptr));
    for (int iteration = 0; iteration < 3 && !host.core.done; ++iteration) {
      // Predictions from nowhere in particular: what matters is the device and host logic agree.
      for (int32_t r = 0; r < host.core.rows; ++r) host.core.predictions[r] = int32_t(rng() % 10);
      TEST_CUDA(cudaMemcpy(device.get()->core.predictions, host.core.predictions, sizeof(host.core.predictions),
                           cudaMemcpyHostToDevice));
      cuda::jacobi_update(host.core);
      TEST_CUDA(cuda::launch_jacobi_update(device.get(), nullptr));
    }
    const std::vector<cuda::JacobiState> got = device.download();
    expect(std::memcmp(&got[0].core, &host.core, sizeof(cuda::JacobiCore)) == 0,
           "device Jacobi state equals the host logic");
    expect(std::equal(got[0].states, got[0].states + n, b.tokens), "state 0 is the initial state");
  }
}

}  // namespace

int main() {
  if (!have_device()) return 0;
  cudaDeviceProp props{};
  TEST_CUDA(cudaGetDeviceProperties(&props, 0));
  std::printf("device: %s (cc %d.%d)\n", props.name, props.major, props.minor);
  test_gemm();
  test_rmsnorm();
  test_rope_kv();
  test_attention();
  test_argmax_embedding_convert();
  test_jacobi_kernels();
  if (failures) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("cuda kernels: all checks passed\n");
  return 0;
}
