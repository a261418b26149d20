// Host memory read bandwidth, stream-style: the floor for a memory-bound decode step on the CPU
// (one forward reads every weight once).
#pragma once

#include <cstdint>

#include "timing.hpp"

namespace cllm::bench {

// Reads a buffer of `bytes` repeatedly with all threads of libcllm's pool; GB/s of the median pass.
Stats measure_read_bandwidth(int64_t bytes, int passes, double* gb_per_s);

}  // namespace cllm::bench
