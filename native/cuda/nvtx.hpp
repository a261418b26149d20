// NVTX ranges (header-only NVTX3 from the toolkit) so that Nsight Systems shows forward passes, Jacobi
// iterations and blocks as named spans over the kernels they launch. Without a profiler attached the
// calls cost a few nanoseconds.
#pragma once

#include <nvtx3/nvToolsExt.h>

namespace cllm::cuda {

class NvtxRange {
 public:
  explicit NvtxRange(const char* name) { nvtxRangePushA(name); }
  ~NvtxRange() { nvtxRangePop(); }
  NvtxRange(const NvtxRange&) = delete;
  NvtxRange& operator=(const NvtxRange&) = delete;
};

}  // namespace cllm::cuda
