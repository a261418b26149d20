// Run-time choice of the CPU kernels' instruction set.
//
// The kernel sources are compiled once per ISA (native/CMakeLists.txt); each copy fills one Kernels
// table. The library picks a table once per model: the best one this CPU supports, or the one named by
// the environment variable CLLM_CPU_ISA (generic, avx2, avx512), clamped to what the CPU supports, so a
// jar built here never executes an AVX-512 instruction on a CPU without AVX-512.
//
// This header is included by the per-ISA sources too: it must only declare (no inline function bodies,
// see simd.hpp for why).
#pragma once

#include <cstdint>

namespace cllm::cpu {

enum class Isa : int32_t { generic = 0, avx2 = 1, avx512 = 2 };

// One output segment of a fused matmul: rows [0, rows) of w ([rows, in_features], panel-packed) give
// out[t * ld_out + o] for every token row t. accumulate: add to out instead of storing (residuals).
struct MatmulSegment {
  const float* w;
  int32_t rows;
  float* out;
  int64_t ld_out;
  bool accumulate;
};

// Panel-packed weights, the CPU backend's storage of every matrix: a row-major [rows, cols] matrix as
// ceil(rows / kPanel) panels of kPanel rows, each panel stored column by column, so that element (r, c)
// lives at (r / kPanel) * cols * kPanel + c * kPanel + r % kPanel, and the rows of the last panel past
// `rows` are zero. A matmul then streams each panel front to back and turns one column step into
// kPanel multiply-adds per token with one broadcast of x (cpu_kernels.hpp: pack_rows).
constexpr int32_t kPanel = 16;

// The CPU backend's key cache: per kv head a panel-packed [positions, head_dim] matrix (positions are
// the rows), so the query-key scores are the same broadcast-form kernel as a matmul, 16 positions per
// vector. Head h starts at h * k_head_stride floats; position t, dimension d of a head is at
// (t / kPanel) * head_dim * kPanel + d * kPanel + t % kPanel (cpu_kernels.hpp: store_keys).
// Values stay row-major [position][n_kv_heads * head_dim].

// The kernels of one ISA. Contracts: the functions of the same name in cpu_kernels.hpp.
struct Kernels {
  const char* name;
  Isa isa;
  // Every segment's rows for the n token rows of x ([n][ldx], in_features used), weights panel-packed:
  // one pass over the weights of all segments (e.g. Q, K and V together), one parallel region.
  void (*matmul_packed)(const MatmulSegment* segments, int32_t n_segments, const float* x, int64_t ldx,
                        int32_t n, int32_t in_features);
  void (*matmul_packed_swiglu)(float* out, const float* x, const float* w_gate, const float* w_up, int32_t rows,
                               int32_t in_features, int32_t hidden);
  void (*rmsnorm)(float* out, const float* x, const float* weight, int32_t rows, int32_t dim, float eps);
  void (*rope)(float* x, int32_t rows, int32_t n_heads, int32_t head_dim, const float* cos_sin);
  void (*swiglu)(float* gate, const float* up, int32_t rows, int32_t hidden);
  // attention_rows with the keys in the packed cache layout above.
  void (*attention)(float* out, const float* q, const float* k_packed, int64_t k_head_stride,
                    const float* v_cache, int32_t rows, int32_t n_heads, int32_t n_kv_heads, int32_t head_dim,
                    int32_t first_position, float* scores);
  void (*argmax)(int32_t* out, const float* x, int32_t rows, int32_t cols);
};

// Each compiled ISA's table (defined in kernel_table.cpp, once per ISA).
namespace generic {
const Kernels* table();
}
namespace avx2 {
const Kernels* table();
}
namespace avx512 {
const Kernels* table();
}

const char* isa_name(Isa isa);
// The table for an ISA, or nullptr when it was not compiled in or this CPU (or its OS) lacks it.
const Kernels* kernels_for(Isa isa);
// The best ISA this CPU supports among those compiled in.
Isa best_isa();
// The table a new model uses: CLLM_CPU_ISA when set (clamped to best_isa(); an unknown value is
// ignored with a message on stderr), else best_isa(). Reads the environment on every call.
const Kernels& select_kernels();
// The table behind the reference functions of cpu_kernels.hpp: select_kernels() at first use, or the
// one set_active_isa chose (for tests). Returns false, changing nothing, when the ISA is unavailable.
const Kernels& active_kernels();
bool set_active_isa(Isa isa);

}  // namespace cllm::cpu
