// Conversions between float and the 16-bit formats of checkpoints; the rules are in half_floats.hpp.
#include "half_floats.hpp"

#include <cstring>

namespace cllm {
namespace {

uint32_t bits_of(float value) {
  uint32_t u;
  std::memcpy(&u, &value, sizeof u);
  return u;
}

float float_of(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace

float bf16_to_float(uint16_t bits) { return float_of(uint32_t(bits) << 16); }

float f16_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0x1f) return float_of(sign | 0x7f800000u | (mantissa << 13));  // inf or NaN
  if (exponent != 0) return float_of(sign | ((exponent + 112) << 23) | (mantissa << 13));
  if (mantissa == 0) return float_of(sign);  // signed zero
  // Subnormal half: normalise into a float exponent.
  exponent = 113;
  while ((mantissa & 0x400u) == 0) {
    mantissa <<= 1;
    --exponent;
  }
  return float_of(sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13));
}

uint16_t float_to_bf16(float value) {
  const uint32_t u = bits_of(value);
  // A NaN keeps its sign and top payload bits and gets the quiet bit: rounding its low bits could
  // carry into the exponent and turn it into infinity.
  if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40u);
  // Adding 0x7fff (0x8000 when the kept part is odd) carries exactly when the dropped half is above
  // the tie, or at the tie with an odd kept part. A carry out of the largest finite value gives inf.
  const uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);
  return uint16_t((u + rounding) >> 16);
}

uint16_t float_to_f16(float value) {
  const uint32_t u = bits_of(value);
  const uint32_t sign = (u >> 16) & 0x8000u;
  const int32_t exponent = int32_t((u >> 23) & 0xffu);
  uint32_t mantissa = u & 0x7fffffu;
  if (exponent == 0xff) return uint16_t(sign | 0x7c00u | (mantissa != 0 ? 0x200u : 0u));  // inf, quiet NaN
  const int32_t e = exponent - 127 + 15;
  if (e >= 0x1f) return uint16_t(sign | 0x7c00u);  // beyond the f16 range: infinity
  if (e <= 0) {                                    // an f16 subnormal (or zero)
    if (e < -10) return uint16_t(sign);            // below half the smallest subnormal
    mantissa |= 0x800000u;
    const int32_t shift = 14 - e;
    uint32_t half = mantissa >> shift;
    const uint32_t remainder = mantissa & ((1u << shift) - 1u), halfway = 1u << (shift - 1);
    if (remainder > halfway || (remainder == halfway && (half & 1u))) ++half;
    return uint16_t(sign | half);
  }
  uint32_t half = (uint32_t(e) << 10) | (mantissa >> 13);
  const uint32_t remainder = mantissa & 0x1fffu;
  // A carry out of the mantissa moves into the exponent, which is the correctly rounded result (and
  // infinity above the largest finite f16).
  if (remainder > 0x1000u || (remainder == 0x1000u && (half & 1u))) ++half;
  return uint16_t(sign | half);
}

}  // namespace cllm
