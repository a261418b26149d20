// Loads the CUDA backend (libcllm_cuda.so) on demand with dlopen, so the CPU path never maps any CUDA
// code and a machine without a driver or without the plugin still runs everything on the CPU.
#pragma once

#include <memory>
#include <string>

#include "backend.hpp"

namespace cllm {

class CudaPlugin {
 public:
  virtual ~CudaPlugin() = default;
  virtual int32_t device_count() = 0;
  virtual void device_info(int32_t device, char* name, int32_t name_len, int64_t* total_memory, int32_t* cc_major,
                           int32_t* cc_minor) = 0;
  virtual std::unique_ptr<ModelBackend> make_model(const cllm_config& config, int32_t device) = 0;
};

// Loads the plugin from path (idempotent; a different path after a successful load is an error).
void cuda_plugin_load(const std::string& path);
// The loaded plugin, loading it from next to libcllm.so on first use; throws UNSUPPORTED if missing.
CudaPlugin& cuda_plugin();

}  // namespace cllm
