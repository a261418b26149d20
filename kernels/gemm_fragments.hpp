// How the block GEMM feeds mma.sync.m16n8k16 (bf16 in, fp32 accumulate) straight from 16-byte global
// loads. Plain C++ so that a host test can emulate the instruction and check the mapping.
//
// The PTX ISA fixes which matrix elements each lane holds (groupID g = lane / 4, t = lane % 4):
//   A (16x16, row-major): element i of lane at row g + 8*((i/2)%2), column 2t + i%2 + 8*(i/4)
//   B (16x8, column-major): element i at row (k) 2t + i%2 + 8*(i/2), column (n) g
//   C (16x8): element i at row g + 8*(i/2), column 2t + i%2
// A reduction is free to visit k in any order, as long as A and B use the same order. So each lane
// loads 8 consecutive k values with one 16-byte load (weights rows g and g+8, activations row g of
// the n tile) at k0 + 8t, and two MMA steps consume them: logical column c of step s maps to
// physical k0 + 8*t(c) + 4*s + 2*(c/8) + c%2 for both operands, with t(c) = (c%8)/2. The 32 k values
// of a chunk are each used exactly once, and every 16-byte load is used whole.
#pragma once

#include <cstdint>

#include "layout.hpp"

namespace cllm::cuda {

// Registers of the A operand for MMA step (0 or 1) from the lane's loads of weight rows g (lo) and
// g + 8 (hi); each load is 4 words of two bf16.
CLLM_HOST_DEVICE inline void mma_a_fragment(const uint32_t lo[4], const uint32_t hi[4], int step, uint32_t a[4]) {
  a[0] = lo[2 * step];      // row g,     logical columns 2t, 2t+1
  a[1] = hi[2 * step];      // row g + 8, logical columns 2t, 2t+1
  a[2] = lo[2 * step + 1];  // row g,     logical columns 2t+8, 2t+9
  a[3] = hi[2 * step + 1];  // row g + 8, logical columns 2t+8, 2t+9
}

// Registers of the B operand for MMA step from the lane's load of activation row g of the n tile.
CLLM_HOST_DEVICE inline void mma_b_fragment(const uint32_t x[4], int step, uint32_t b[2]) {
  b[0] = x[2 * step];      // logical k rows 2t, 2t+1
  b[1] = x[2 * step + 1];  // logical k rows 2t+8, 2t+9
}

// PTX ISA element coordinates for m16n8k16 with .bf16 inputs (used by the host emulation test).
CLLM_HOST_DEVICE constexpr int mma_a_row(int lane, int i) { return (lane >> 2) + ((i & 2) ? 8 : 0); }
CLLM_HOST_DEVICE constexpr int mma_a_col(int lane, int i) { return (lane & 3) * 2 + (i & 1) + ((i & 4) ? 8 : 0); }
CLLM_HOST_DEVICE constexpr int mma_b_row(int lane, int i) { return (lane & 3) * 2 + (i & 1) + ((i & 2) ? 8 : 0); }
CLLM_HOST_DEVICE constexpr int mma_b_col(int lane, int /*i*/) { return lane >> 2; }
CLLM_HOST_DEVICE constexpr int mma_c_row(int lane, int i) { return (lane >> 2) + ((i & 2) ? 8 : 0); }
CLLM_HOST_DEVICE constexpr int mma_c_col(int lane, int i) { return (lane & 3) * 2 + (i & 1); }

}  // namespace cllm::cuda
