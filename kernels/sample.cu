#include "sample.cuh"

#include "common.cuh"
#include "sampling_rng.hpp"

namespace cllm::cuda {
namespace {

constexpr int kThreads = 256;

// A float's order as an unsigned key: larger floats give larger keys (negative floats flipped).
__device__ __forceinline__ uint32_t order_key(float v) {
  const uint32_t u = __float_as_uint(v);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

__device__ __forceinline__ float key_value(uint32_t key) {
  return __uint_as_float((key & 0x80000000u) ? (key & 0x7fffffffu) : ~key);
}

// The scaled logit of column c (NaN never kept).
__device__ __forceinline__ float scaled(const float* row, int32_t c, float temperature) {
  const float z = row[c] / temperature;
  return z == z ? z : -INFINITY;
}

// Block-wide reductions through shared scratch; every thread gets the result.
__device__ float block_max(float v, float* scratch) {
  v = warp_max(v);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  float m = scratch[0];
  for (int w = 1; w < kThreads / 32; ++w) m = fmaxf(m, scratch[w]);
  return m;
}

// Sums in a fixed order (each thread's values in index order, then the threads in order), so the
// result is one function of the row whatever the launch.
__device__ double block_sum(double v, double* scratch) {
  __syncthreads();
  scratch[threadIdx.x] = v;
  __syncthreads();
  double total = 0;
  for (int t = 0; t < kThreads; ++t) total += scratch[t];
  return total;
}

__device__ int32_t block_count(int32_t v, int32_t* scratch) {
  __syncthreads();
  scratch[threadIdx.x] = v;
  __syncthreads();
  int32_t total = 0;
  for (int t = 0; t < kThreads; ++t) total += scratch[t];
  return total;
}

__global__ void __launch_bounds__(kThreads)
    sample_rows_kernel(const float* __restrict__ logits, int32_t ld, int32_t cols, const int32_t* active,
                       int32_t max_rows, const int32_t* first_position, SampleParams p, int32_t* __restrict__ out) {
  if (static_cast<int32_t>(blockIdx.x) >= active_rows(active, max_rows)) return;
  __shared__ float max_scratch[kThreads / 32];
  __shared__ double sums[kThreads];
  __shared__ int32_t counts[kThreads];
  __shared__ int32_t chosen;
  const float* row = logits + static_cast<int64_t>(blockIdx.x) * ld;
  // Each thread owns a contiguous chunk of columns, so index order is thread order, then chunk order.
  const int32_t chunk = (cols + kThreads - 1) / kThreads;
  const int32_t begin = min(cols, static_cast<int32_t>(threadIdx.x) * chunk), end = min(cols, begin + chunk);

  float local_max = -INFINITY;
  for (int32_t c = begin; c < end; ++c) local_max = fmaxf(local_max, scaled(row, c, p.temperature));
  const float m = block_max(local_max, max_scratch);
  float threshold = -INFINITY;
  if (p.top_k > 0 && p.top_k < cols) {
    // The largest key with at least k values at or above it: the k-th largest value.
    uint32_t prefix = 0;
    for (int bit = 31; bit >= 0; --bit) {
      const uint32_t candidate = prefix | (1u << bit);
      int32_t n = 0;
      for (int32_t c = begin; c < end; ++c) n += order_key(scaled(row, c, p.temperature)) >= candidate ? 1 : 0;
      if (block_count(n, counts) >= p.top_k) prefix = candidate;
    }
    threshold = key_value(prefix);
  }
  if (p.top_p < 1.0f) {
    double mass = 0;
    for (int32_t c = begin; c < end; ++c) {
      const float z = scaled(row, c, p.temperature);
      if (z >= threshold) mass += double(expf(z - m));
    }
    const double target = double(p.top_p) * block_sum(mass, sums);
    // The largest key whose values (at or above it, and kept by top-k) hold the target mass; the mass
    // only shrinks as the key grows, so the key is built bit by bit from the top.
    uint32_t prefix = 0;
    for (int bit = 31; bit >= 0; --bit) {
      const uint32_t candidate = prefix | (1u << bit);
      double part = 0;
      for (int32_t c = begin; c < end; ++c) {
        const float z = scaled(row, c, p.temperature);
        if (z >= threshold && order_key(z) >= candidate) part += double(expf(z - m));
      }
      if (block_sum(part, sums) >= target) prefix = candidate;
    }
    threshold = fmaxf(threshold, key_value(prefix));
  }
  if (p.min_p > 0.0f) threshold = fmaxf(threshold, m + logf(p.min_p));

  // Inverse CDF in index order over the kept tokens.
  double part = 0;
  int32_t last = -1;
  for (int32_t c = begin; c < end; ++c) {
    const float z = scaled(row, c, p.temperature);
    if (z >= threshold) {
      part += double(expf(z - m));
      last = c;
    }
  }
  __syncthreads();
  sums[threadIdx.x] = part;
  counts[threadIdx.x] = last;
  if (threadIdx.x == 0) chosen = -1;
  __syncthreads();
  if (threadIdx.x == 0) {
    double total = 0;
    for (int t = 0; t < kThreads; ++t) total += sums[t];
    const double target = sampling_uniform(p.seed, int64_t(*first_position) + blockIdx.x + 1) * total;
    double before = 0;
    int32_t owner = -1, fallback = -1;
    for (int t = 0; t < kThreads; ++t) {
      if (counts[t] >= 0) fallback = counts[t];
      if (owner < 0 && sums[t] > 0 && before + sums[t] > target) owner = t;
      if (owner < 0) before += sums[t];
    }
    if (owner < 0) {
      chosen = fallback >= 0 ? fallback : 0;  // rounding left the target unreached: the last kept token
    } else {
      // The owner's chunk, scanned here in index order from the mass before it.
      const int32_t b = min(cols, owner * chunk), e = min(cols, b + chunk);
      double running = before;
      int32_t pick = counts[owner];
      for (int32_t c = b; c < e; ++c) {
        const float z = scaled(row, c, p.temperature);
        if (z < threshold) continue;
        running += double(expf(z - m));
        if (running > target) {
          pick = c;
          break;
        }
      }
      chosen = pick;
    }
    out[blockIdx.x] = chosen;
  }
}

}  // namespace

cudaError_t launch_sample_rows(const float* logits, int32_t ld, int32_t cols, const int32_t* active_rows,
                               int32_t max_rows, const int32_t* first_position, const SampleParams& params,
                               int32_t* out, cudaStream_t stream) {
  if (logits == nullptr || out == nullptr || first_position == nullptr || max_rows <= 0 || cols <= 0 || ld < cols ||
      !(params.temperature > 0.0f)) {
    return cudaErrorInvalidValue;
  }
  sample_rows_kernel<<<max_rows, kThreads, 0, stream>>>(logits, ld, cols, active_rows, max_rows, first_position, params,
                                                        out);
  return cudaGetLastError();
}

}  // namespace cllm::cuda
