// Entry points of the CUDA backend plugin (see plugin_loader.cpp). The model and session classes live
// beside this file; this file only exports the two C symbols libcllm looks up with dlsym.
#include <cuda_runtime.h>

#include <string>

#include "backend.hpp"

extern "C" __attribute__((visibility("default"))) int32_t cllm_cuda_device_count_raw(void) {
  int count = 0;
  // Without a driver this returns an error (35, insufficient driver): report zero devices.
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error state
    return 0;
  }
  return count;
}

extern "C" __attribute__((visibility("default"))) cllm::ModelBackend* cllm_cuda_make_model(const cllm_config* config,
                                                                                          int32_t device) {
  (void)config;
  (void)device;
  throw cllm::Error(CLLM_ERR_UNSUPPORTED, "the CUDA backend is not implemented yet");
}
