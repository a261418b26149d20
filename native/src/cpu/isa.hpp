// Run-time choice of the CPU kernels' instruction set.
//
// The kernel sources are compiled once per ISA (native/CMakeLists.txt); each copy fills one Kernels
// table. The library picks a table once per model: the best one this CPU supports, or the one named by
// the environment variable CLLM_CPU_ISA (generic, avx2, avx512, avx512_vnni, avx512_bf16), clamped to
// what the CPU supports, so a jar built here never executes an AVX-512 instruction on a CPU without
// AVX-512. The levels form a chain, each one adding to the one below: avx512_vnni adds the 8-bit dot
// product (vpdpbusd) to avx512 and changes only the Q8_0 matmuls; avx512_bf16 adds vdpbf16ps and changes
// only the bf16 matmuls (every CPU with AVX512-BF16 also has AVX512-VNNI).
//
// This header is included by the per-ISA sources too: it must only declare (no inline function bodies,
// see simd.hpp for why).
#pragma once

#include <cstdint>

namespace cllm::cpu {

enum class Isa : int32_t { generic = 0, avx2 = 1, avx512 = 2, avx512_vnni = 3, avx512_bf16 = 4 };
constexpr int32_t kIsaCount = 5;

// The element type the CPU backend stores a model's matrices in (norm vectors are always fp32).
enum class WeightType : int32_t { f32 = 0, bf16 = 1, q8_0 = 2 };

// One output segment of a fused matmul: rows [0, rows) of w ([rows, in_features], panel-packed in the
// call's weight type) give out[t * ld_out + o] for every token row t. accumulate: add to out instead of
// storing (residuals).
struct MatmulSegment {
  const void* w;
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

// bf16 weights: panels of kPanel rows again, but stored by column pairs, the operand shape of vdpbf16ps
// (each 32-bit lane holds two consecutive bf16 of one row): element (r, c) is the uint16 at
// (r / kPanel) * cols2 * kPanel + (c / 2) * 2 * kPanel + (r % kPanel) * 2 + c % 2, with cols2 = cols
// rounded up to even; padding rows and the padding column are zero. One column pair of a panel is 64
// bytes, one cache line. The kernels without vdpbf16ps widen a pair to two fp32 vectors (shift, mask).
constexpr int64_t bf16_panel_elements(int32_t cols) { return int64_t((cols + 1) / 2) * 2 * kPanel; }

// Q8_0 weights (GGUF's Q8_0 numerics: blocks of 32 consecutive weights of a row share one fp16 scale d,
// value = d * q with q in [-127, 127]): panels of kPanel rows made of superblocks of 64 columns (two
// Q8_0 blocks), each 1088 bytes = 17 cache lines: first 1024 bytes of quants, 4-column groups of 64
// bytes (the operand shape of vpdpbusd: lane r holds q(r, c..c+3)), byte (r % kPanel) * 4 + c % 4 of
// group (c % 64) / 4, stored as q + 128 (unsigned, see matmul_q8.cpp); then the fp16 scales, 16 rows of
// the first block, then 16 of the second. Columns are padded to a multiple of 64 and rows to kPanel
// with q = 0 and d = 0, so every panel has the same size and stays 64-byte aligned.
constexpr int32_t kQ8Block = 32, kQ8Superblock = 64, kQ8SuperblockBytes = 1088;
constexpr int64_t q8_panel_bytes(int32_t cols) {
  return int64_t((cols + kQ8Superblock - 1) / kQ8Superblock) * kQ8SuperblockBytes;
}

// The matmuls of one low-precision weight type. Activations go through prepare once per matmul input
// (shared by the segments of a fused call): it returns either x itself (*ld_bytes = ldx * 4) or the rows
// converted into `scratch` (prepared_row_bytes(in_features) bytes per row, 64-byte aligned), which is what
// matmul and matmul_swiglu then read. Each row is prepared on its own, so a row's result never depends
// on the other rows of the call.
struct WeightKernels {
  int64_t (*prepared_row_bytes)(int32_t in_features);
  const void* (*prepare)(void* scratch, const float* x, int64_t ldx, int32_t n, int32_t in_features, int64_t* ld_bytes);
  void (*matmul)(const MatmulSegment* segments, int32_t n_segments, const void* act, int64_t ld_bytes, int32_t n,
                 int32_t in_features);
  void (*matmul_swiglu)(float* out, const void* act, int64_t ld_bytes, const void* w_gate, const void* w_up, int32_t n,
                        int32_t in_features, int32_t hidden);
};

// The kernels of one ISA. Contracts: the functions of the same name in cpu_kernels.hpp.
struct Kernels {
  const char* name;
  Isa isa;
  // fp32 weights. Every segment's rows for the n token rows of x ([n][ldx], in_features used), weights
  // panel-packed: one pass over the weights of all segments (e.g. Q, K and V together), one parallel region.
  void (*matmul_packed)(const MatmulSegment* segments, int32_t n_segments, const float* x, int64_t ldx, int32_t n,
                        int32_t in_features);
  void (*matmul_packed_swiglu)(float* out, const float* x, const float* w_gate, const float* w_up, int32_t rows,
                               int32_t in_features, int32_t hidden);
  void (*rmsnorm)(float* out, const float* x, const float* weight, int32_t rows, int32_t dim, float eps);
  void (*rope)(float* x, int32_t rows, int32_t n_heads, int32_t head_dim, const float* cos_sin);
  void (*swiglu)(float* gate, const float* up, int32_t rows, int32_t hidden);
  // attention_rows with the keys in the packed cache layout above.
  void (*attention)(float* out, const float* q, const float* k_packed, int64_t k_head_stride, const float* v_cache,
                    int32_t rows, int32_t n_heads, int32_t n_kv_heads, int32_t head_dim, int32_t first_position,
                    float* scores);
  void (*argmax)(int32_t* out, const float* x, int32_t rows, int32_t cols);
  WeightKernels bf16;  // vdpbf16ps on avx512_bf16, else widened to fp32 in registers
  WeightKernels q8_0;  // vpdpbusd on avx512_vnni and up, else the same integer sums without it
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
namespace avx512_vnni {
const Kernels* table();
}
namespace avx512_bf16 {
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
