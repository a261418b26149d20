// Every CUDA runtime call of the plugin goes through CLLM_CUDA_CHECK: a failure becomes a cllm::Error
// with a status (OUT_OF_MEMORY, UNSUPPORTED or BACKEND) and a message naming the call, the file:line
// and the CUDA error, which api.cpp turns into a status code and cllm_last_error(). Never an abort.
#pragma once

#include <cuda_runtime.h>

#include "backend.hpp"

namespace cllm::cuda {

cllm_status status_of(cudaError_t error);
[[noreturn]] void throw_cuda_error(cudaError_t error, const char* call, const char* file, int line);

inline void check_cuda(cudaError_t error, const char* call, const char* file, int line) {
  if (error != cudaSuccess) throw_cuda_error(error, call, file, line);
}

}  // namespace cllm::cuda

#define CLLM_CUDA_CHECK(call) ::cllm::cuda::check_cuda((call), #call, __FILE__, __LINE__)
