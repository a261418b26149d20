// How RMSNorm and RoPE/KV spread one row over several thread blocks (CLLM_CUDA_ROW_SPREAD): with one
// block per row an AR step (n = 1) keeps one SM busy while the others idle. With the switch on, a row's
// elementwise work is cut into `parts` contiguous slices, one block each. The slices only decide which
// block writes which columns: every block of a row computes the row's RMS with exactly the reduction
// the one-block kernel uses, so the output is bit-identical to the plain path and the same whatever
// the number of rows or slices. Plain C++ so the host test checks the partition.
#pragma once

#include <cstdint>

#include "layout.hpp"

namespace cllm::cuda {

// Most blocks one row is spread over, and the column granule of a slice (one warp's worth of columns,
// so slices start on coalesced boundaries).
constexpr int32_t kMaxSpread = 16;
constexpr int32_t kSpreadGranule = 32;

// Blocks per row for a launch sized for `width` rows on `multiprocessors` SMs: about one wave of
// blocks in total, at least one per row, at most kMaxSpread.
CLLM_HOST_DEVICE constexpr int32_t spread_blocks_per_row(int32_t width, int32_t multiprocessors) {
  const int32_t rows = width < 1 ? 1 : width;
  const int32_t per_row = multiprocessors / rows;
  return per_row < 1 ? 1 : (per_row > kMaxSpread ? kMaxSpread : per_row);
}

struct SpreadRange {
  int32_t begin, end;  // [begin, end) of [0, total)
};

// Slice `part` of `parts` over [0, total): contiguous, in order, starting on multiples of `granule`;
// the slices of 0 .. parts-1 cover every index exactly once (some may be empty).
CLLM_HOST_DEVICE constexpr SpreadRange spread_range(int32_t total, int32_t parts, int32_t part, int32_t granule) {
  const int64_t units = (int64_t(total) + granule - 1) / granule;
  const int64_t begin = units * part / parts * granule, end = units * (part + 1) / parts * granule;
  return SpreadRange{int32_t(begin < total ? begin : total), int32_t(end < total ? end : total)};
}

}  // namespace cllm::cuda
