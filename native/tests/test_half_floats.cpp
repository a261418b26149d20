// The host conversions between float and bf16 / f16 (native/src/half_floats.hpp): exact widening,
// round to nearest with ties to even, overflow to infinity, gradual underflow, NaN kept NaN (quiet, same
// sign) and infinities kept. The same cases run against the Java twin in HalfFloatsTest.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "half_floats.hpp"
#include "test_checks.hpp"

namespace {

using cllm::testing::checks;
using cllm::testing::expect;
using cllm::testing::failures;

#define EXPECT(condition, message) cllm::testing::expect_lazy((condition), [&] { return std::string(message); })

float float_of(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

std::string hex(uint32_t v) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08x", v);
  return buffer;
}

// The exact value of a 16-bit pattern as a double, with infinity standing for the next power of two
// above the largest finite value (where rounding puts the boundary between it and infinity).
double bf16_value(uint16_t h) {
  if ((h & 0x7f80u) == 0x7f80u) return (h & 0x8000u ? -1.0 : 1.0) * std::ldexp(1.0, 128);
  return double(cllm::bf16_to_float(h));
}

double f16_value(uint16_t h) {
  if ((h & 0x7c00u) == 0x7c00u) return (h & 0x8000u ? -1.0 : 1.0) * 65536.0;
  return double(cllm::f16_to_float(h));
}

// r is a nearest 16-bit value to x (ties to even) among its neighbours of the same sign.
template <typename Value>
bool is_nearest_even(float x, uint16_t r, Value value, uint16_t inf_bits) {
  const double v = double(x), d = std::fabs(v - value(r));
  const uint16_t magnitude = r & 0x7fffu;
  for (int step : {-1, 1}) {
    if ((step < 0 && magnitude == 0) || (step > 0 && magnitude >= inf_bits)) continue;
    const double other = std::fabs(v - value(uint16_t(r + step)));
    if (other < d || (other == d && (r & 1u))) return false;
  }
  return true;
}

void test_bf16() {
  using cllm::bf16_to_float;
  using cllm::float_to_bf16;
  // Every bf16 survives the round trip through float; every NaN stays a NaN.
  for (uint32_t h = 0; h < 0x10000u; ++h) {
    const float f = bf16_to_float(uint16_t(h));
    EXPECT(bits_of(f) == h << 16, "bf16 widening is exact for " + hex(h));
    if (std::isnan(f)) {
      const uint16_t back = float_to_bf16(f);
      EXPECT(std::isnan(bf16_to_float(back)) && (back & 0x8000u) == (h & 0x8000u) && (back & 0x40u),
             "bf16 NaN " + hex(h) + " stays a quiet NaN of the same sign");
    } else {
      EXPECT(float_to_bf16(f) == h, "bf16 round trip of " + hex(h));
    }
  }
  struct Case {
    uint32_t in;
    uint16_t out;
    const char* why;
  };
  const Case cases[] = {
      {0x7f800000u, 0x7f80u, "+inf stays +inf"},
      {0xff800000u, 0xff80u, "-inf stays -inf"},
      {0x7f800001u, 0x7fc0u, "signalling NaN with a low payload becomes a quiet NaN, not inf"},
      {0x7fffffffu, 0x7fffu, "NaN with every payload bit stays NaN (no carry into the sign)"},
      {0xffc00001u, 0xffc0u, "negative quiet NaN keeps its sign"},
      {0x7f7fffffu, 0x7f80u, "FLT_MAX overflows to +inf"},
      {0xff7fffffu, 0xff80u, "-FLT_MAX overflows to -inf"},
      {0x7f7f7fffu, 0x7f7fu, "just below the tie under infinity stays finite"},
      {0x7f7f8000u, 0x7f80u, "tie between the largest bf16 (odd) and infinity goes to infinity"},
      {0x3f808000u, 0x3f80u, "tie rounds down to the even neighbour"},
      {0x3f818000u, 0x3f82u, "tie rounds up to the even neighbour"},
      {0x3f808001u, 0x3f81u, "above the tie rounds up"},
      {0x3f807fffu, 0x3f80u, "below the tie rounds down"},
      {0x00000001u, 0x0000u, "the smallest float denormal rounds to +0"},
      {0x00008000u, 0x0000u, "denormal tie rounds to the even +0"},
      {0x00018000u, 0x0002u, "denormal tie rounds up to the even denormal"},
      {0x00008001u, 0x0001u, "denormal above the tie rounds to the smallest bf16 denormal"},
      {0x807fffffu, 0x8080u, "the largest negative denormal rounds up into the normal range"},
      {0x80000000u, 0x8000u, "-0 stays -0"},
  };
  for (const Case& c : cases) {
    EXPECT(float_to_bf16(float_of(c.in)) == c.out, std::string(c.why) + " (" + hex(c.in) + ")");
  }
  // A sweep over the float range: the result is a nearest bf16, ties to even.
  for (uint64_t u = 0; u < (uint64_t(1) << 32); u += 257) {
    const float x = float_of(uint32_t(u));
    const uint16_t r = float_to_bf16(x);
    if (std::isnan(x)) {
      EXPECT(std::isnan(bf16_to_float(r)), "NaN " + hex(uint32_t(u)) + " stays NaN");
    } else {
      EXPECT((r & 0x8000u) == (uint32_t(u) >> 16 & 0x8000u), "sign of " + hex(uint32_t(u)));
      EXPECT(is_nearest_even(x, r, bf16_value, 0x7f80u), "nearest bf16 of " + hex(uint32_t(u)));
    }
  }
}

void test_f16() {
  using cllm::f16_to_float;
  using cllm::float_to_f16;
  for (uint32_t h = 0; h < 0x10000u; ++h) {
    const float f = f16_to_float(uint16_t(h));
    if (std::isnan(f)) {
      const uint16_t back = float_to_f16(f);
      EXPECT((back & 0x7c00u) == 0x7c00u && (back & 0x3ffu) && (back & 0x8000u) == (h & 0x8000u) && (back & 0x200u),
             "f16 NaN " + hex(h) + " stays a quiet NaN of the same sign");
    } else {
      EXPECT(float_to_f16(f) == h, "f16 round trip of " + hex(h));
    }
  }
  struct Case {
    float in;
    uint16_t out;
    const char* why;
  };
  const float smallest = std::ldexp(1.0f, -24);  // the smallest f16 denormal
  const Case cases[] = {
      {INFINITY, 0x7c00u, "+inf stays +inf"},
      {-INFINITY, 0xfc00u, "-inf stays -inf"},
      {float_of(0x7f800001u), 0x7e00u, "signalling NaN becomes a quiet NaN, not inf"},
      {65504.0f, 0x7bffu, "the largest f16"},
      {65519.0f, 0x7bffu, "below the tie under infinity stays finite"},
      {65520.0f, 0x7c00u, "tie between the largest f16 (odd) and infinity goes to infinity"},
      {1e10f, 0x7c00u, "overflow to +inf"},
      {-1e10f, 0xfc00u, "overflow to -inf"},
      {1.0f + std::ldexp(1.0f, -11), 0x3c00u, "tie rounds down to the even neighbour"},
      {1.0f + 3 * std::ldexp(1.0f, -11), 0x3c02u, "tie rounds up to the even neighbour"},
      {smallest, 0x0001u, "the smallest f16 denormal"},
      {smallest / 2, 0x0000u, "half the smallest denormal ties to +0"},
      {smallest * 1.5f, 0x0002u, "tie between denormals 1 and 2 goes to 2"},
      {std::nextafter(smallest / 2, 1.0f), 0x0001u, "just above half the smallest denormal rounds up"},
      {float_of(0x00000001u), 0x0000u, "a float denormal underflows to +0"},
      {-0.0f, 0x8000u, "-0 stays -0"},
  };
  for (const Case& c : cases) {
    EXPECT(float_to_f16(c.in) == c.out, std::string(c.why) + " (" + hex(bits_of(c.in)) + ")");
  }
  for (uint64_t u = 0; u < (uint64_t(1) << 32); u += 257) {
    const float x = float_of(uint32_t(u));
    const uint16_t r = float_to_f16(x);
    if (std::isnan(x)) {
      EXPECT(std::isnan(f16_to_float(r)), "NaN " + hex(uint32_t(u)) + " stays NaN");
    } else {
      EXPECT((r & 0x8000u) == (uint32_t(u) >> 16 & 0x8000u), "sign of " + hex(uint32_t(u)));
      EXPECT(is_nearest_even(x, r, f16_value, 0x7c00u), "nearest f16 of " + hex(uint32_t(u)));
    }
  }
}

}  // namespace

int main() {
  test_bf16();
  test_f16();
  if (failures) {
    std::fprintf(stderr, "half floats: %d of %d checks failed\n", failures, checks);
    return 1;
  }
  std::printf("half floats: %d checks passed\n", checks);
  return 0;
}
