#include "cuda_check.hpp"

#include <cstring>
#include <string>

namespace cllm::cuda {

cllm_status status_of(cudaError_t error) {
  switch (error) {
    case cudaErrorMemoryAllocation:
      return CLLM_ERR_OUT_OF_MEMORY;
    case cudaErrorInsufficientDriver:
    case cudaErrorNoDevice:
    case cudaErrorNoKernelImageForDevice:
    case cudaErrorUnsupportedPtxVersion:
    case cudaErrorNotSupported:
      return CLLM_ERR_UNSUPPORTED;
    default:
      return CLLM_ERR_BACKEND;
  }
}

void throw_cuda_error(cudaError_t error, const char* call, const char* file, int line) {
  // Clear the error if it is not sticky, so that later calls on this thread report their own.
  cudaGetLastError();
  const char* slash = std::strrchr(file, '/');
  const std::string where = std::string(slash ? slash + 1 : file) + ":" + std::to_string(line);
  throw Error(status_of(error), std::string("CUDA error ") + cudaGetErrorName(error) + " (" +
                                    cudaGetErrorString(error) + ") in " + call + " at " + where);
}

}  // namespace cllm::cuda
