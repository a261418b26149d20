#include "device_memory.hpp"

namespace cllm::cuda {

void throw_allocation_error(cudaError_t error, size_t bytes, const char* what, bool pinned) {
  cudaGetLastError();
  const std::string size = std::to_string(bytes / (1024.0 * 1024.0)).substr(0, 8) + " MiB";
  if (error == cudaErrorMemoryAllocation) {
    throw Error(CLLM_ERR_OUT_OF_MEMORY, std::string("out of ") + (pinned ? "pinned host" : "device") +
                                            " memory allocating " + size + " for " + what);
  }
  throw Error(status_of(error), std::string("CUDA error ") + cudaGetErrorName(error) + " (" +
                                    cudaGetErrorString(error) + ") allocating " + size + " for " + what);
}

}  // namespace cllm::cuda
