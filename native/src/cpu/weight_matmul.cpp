// The weight-type dispatch of weight_matmul.hpp.
#include "weight_matmul.hpp"

#include <cstddef>
#include <vector>

namespace cllm::cpu {
namespace {

const WeightKernels& kernels_of(const Kernels& k, WeightType type) {
  return type == WeightType::bf16 ? k.bf16 : k.q8_0;
}

}  // namespace

int64_t matmul_scratch_bytes(const Kernels& k, WeightType type, int32_t n, int32_t in_features) {
  return type == WeightType::f32 ? 0 : kernels_of(k, type).prepared_row_bytes(in_features) * n;
}

void matmul_weights(const Kernels& k, WeightType type, const MatmulSegment* segments, int32_t n_segments,
                    const float* x, int64_t ldx, int32_t n, int32_t in_features, void* scratch) {
  if (type == WeightType::f32) return k.matmul_packed(segments, n_segments, x, ldx, n, in_features);
  const WeightKernels& w = kernels_of(k, type);
  int64_t ld_bytes = 0;
  const void* act = w.prepare(scratch, x, ldx, n, in_features, &ld_bytes);
  w.matmul(segments, n_segments, act, ld_bytes, n, in_features);
}

void matmul_weights_swiglu(const Kernels& k, WeightType type, float* out, const float* x, const void* w_gate,
                           const void* w_up, int32_t n, int32_t in_features, int32_t hidden, void* scratch) {
  if (type == WeightType::f32) {
    return k.matmul_packed_swiglu(out, x, static_cast<const float*>(w_gate), static_cast<const float*>(w_up), n,
                                  in_features, hidden);
  }
  const WeightKernels& w = kernels_of(k, type);
  int64_t ld_bytes = 0;
  const void* act = w.prepare(scratch, x, in_features, n, in_features, &ld_bytes);
  w.matmul_swiglu(out, act, ld_bytes, w_gate, w_up, n, in_features, hidden);
}

void matmul_rows_weights(float* out, const float* x, const void* w_packed, WeightType type, int32_t rows,
                         int32_t in_features, int32_t out_features, bool accumulate) {
  const Kernels& k = active_kernels();
  std::vector<uint64_t> scratch(std::size_t(matmul_scratch_bytes(k, type, rows, in_features) / 8 + 1));
  const MatmulSegment segment{w_packed, out_features, out, out_features, accumulate};
  matmul_weights(k, type, &segment, 1, x, in_features, rows, in_features, scratch.data());
}

void matmul_rows_weights_swiglu(float* out, const float* x, const void* gate_packed, const void* up_packed,
                                WeightType type, int32_t rows, int32_t in_features, int32_t hidden) {
  const Kernels& k = active_kernels();
  std::vector<uint64_t> scratch(std::size_t(matmul_scratch_bytes(k, type, rows, in_features) / 8 + 1));
  matmul_weights_swiglu(k, type, out, x, gate_packed, up_packed, rows, in_features, hidden, scratch.data());
}

}  // namespace cllm::cpu
