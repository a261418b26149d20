// Entry points of the CUDA backend plugin, looked up with dlsym by native/src/plugin_loader.cpp. They
// may throw cllm::Error; libcllm's ABI layer turns that into a status and a message.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "backend.hpp"
#include "cuda_check.hpp"
#include "cuda_model.hpp"

extern "C" __attribute__((visibility("default"))) int32_t cllm_cuda_device_count_raw(void) {
  int count = 0;
  // Without a driver this returns an error (35, insufficient driver): report zero devices.
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the error state
    return 0;
  }
  return count;
}

extern "C" __attribute__((visibility("default"))) void cllm_cuda_device_info_raw(int32_t device, char* name,
                                                                                 int32_t name_len,
                                                                                 int64_t* total_memory,
                                                                                 int32_t* cc_major, int32_t* cc_minor) {
  cudaDeviceProp props{};
  CLLM_CUDA_CHECK(cudaGetDeviceProperties(&props, device));
  if (name && name_len > 0) {
    const size_t length = std::min(std::strlen(props.name), size_t(name_len - 1));
    std::memcpy(name, props.name, length);
    name[length] = '\0';
  }
  if (total_memory) *total_memory = int64_t(props.totalGlobalMem);
  if (cc_major) *cc_major = props.major;
  if (cc_minor) *cc_minor = props.minor;
}

extern "C" __attribute__((visibility("default"))) cllm::ModelBackend* cllm_cuda_make_model(const cllm_config* config,
                                                                                           int32_t device) {
  return new cllm::cuda::CudaModel(*config, device);
}
