// The one host implementation of the 16-bit float conversions (bf16 and IEEE f16), used by every
// backend's upload path, the test helpers and the benchmarks. The Java twin is
// dev.cllm.model.HalfFloats; both follow the same rules:
//   - float -> 16 bits rounds to nearest, ties to even; values beyond the largest finite 16-bit value
//     round to infinity; infinities stay infinities; a NaN stays a NaN of the same sign and becomes
//     quiet (never rounds to infinity); float denormals round like any other value (gradual underflow);
//   - 16 bits -> float is exact.
#pragma once

#include <cstdint>

namespace cllm {

float bf16_to_float(uint16_t bits);
float f16_to_float(uint16_t bits);
uint16_t float_to_bf16(float value);
uint16_t float_to_f16(float value);

}  // namespace cllm
