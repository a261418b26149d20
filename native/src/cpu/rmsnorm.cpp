// RMSNorm (per-ISA source): out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * weight. A few microseconds per
// row at model widths, so it runs on the calling thread (no fork/join).
#include "kernels_impl.hpp"
#include "simd.hpp"

namespace cllm::cpu::CLLM_ISA_NS {

void rmsnorm(float* out, const float* x, const float* weight, int32_t rows, int32_t dim, float eps) {
  for (int32_t r = 0; r < rows; ++r) {
    const float* xr = x + int64_t(r) * dim;
    float* yr = out + int64_t(r) * dim;
    vf acc0 = zero(), acc1 = zero();  // two chains: the adds' latency, not their throughput, limits
    int32_t i = 0;
    for (; i + 2 * W <= dim; i += 2 * W) {
      const vf a = load(xr + i), b = load(xr + i + W);
      acc0 += a * a;
      acc1 += b * b;
    }
    for (; i + W <= dim; i += W) {
      const vf a = load(xr + i);
      acc0 += a * a;
    }
    if (i < dim) {
      const vf a = load_partial(xr + i, dim - i);
      acc1 += a * a;
    }
    const float scale = 1.0f / __builtin_sqrtf(hsum(acc0 + acc1) / float(dim) + eps);
    for (i = 0; i + W <= dim; i += W) store(yr + i, load(xr + i) * scale * load(weight + i));
    if (i < dim) {
      const int rest = dim - i;
      store_partial(yr + i, load_partial(xr + i, rest) * scale * load_partial(weight + i, rest), rest);
    }
  }
}

}  // namespace cllm::cpu::CLLM_ISA_NS
