// The checks every native test uses. expect() counts a check and records a failure with its message (the
// first 30 are printed, the rest only counted, since some tests make millions of checks); expect_lazy()
// builds its message only on failure. A test is a plain executable that ctest runs and that prints its
// tally from these counters: exit code 0 means pass.
#pragma once

#include <cstdio>
#include <string>

namespace cllm::testing {

inline int failures = 0;
inline int checks = 0;

inline void expect(bool ok, const std::string& what) {
  ++checks;
  if (!ok) {
    if (failures < 30) std::fprintf(stderr, "FAIL: %s\n", what.c_str());
    ++failures;
  }
}

// For checks in tight loops: what() is called only when the check fails.
template <typename Message>
void expect_lazy(bool ok, const Message& what) {
  ++checks;
  if (!ok) {
    if (failures < 30) std::fprintf(stderr, "FAIL: %s\n", std::string(what()).c_str());
    ++failures;
  }
}

}  // namespace cllm::testing
