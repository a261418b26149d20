#include "plugin_loader.hpp"

#include <dlfcn.h>

#include <mutex>

namespace cllm {
namespace {

class DlopenCudaPlugin final : public CudaPlugin {
 public:
  DlopenCudaPlugin(cllm_cuda_make_model_fn make, cllm_cuda_device_count_fn count, cllm_cuda_device_info_fn info)
      : make_(make), count_(count), info_(info) {}
  int32_t device_count() override { return count_(); }
  void device_info(int32_t device, char* name, int32_t name_len, int64_t* total_memory, int32_t* cc_major,
                   int32_t* cc_minor) override {
    info_(device, name, name_len, total_memory, cc_major, cc_minor);
  }
  std::unique_ptr<ModelBackend> make_model(const cllm_config& config, int32_t device) override {
    return std::unique_ptr<ModelBackend>(make_(&config, device));
  }

 private:
  cllm_cuda_make_model_fn make_;
  cllm_cuda_device_count_fn count_;
  cllm_cuda_device_info_fn info_;
};

std::mutex plugin_mutex;
std::unique_ptr<CudaPlugin> loaded_plugin;
std::string loaded_path;

void load_locked(const std::string& path) {
  if (loaded_plugin) {
    if (path != loaded_path) {
      throw Error(CLLM_ERR_STATE, "the CUDA plugin is already loaded from " + loaded_path + ", not " + path);
    }
    return;
  }
  // RTLD_LOCAL: the plugin's symbols never interpose on anything else in the process.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* reason = dlerror();
    throw Error(CLLM_ERR_UNSUPPORTED, "cannot load the CUDA backend " + path + ": " + (reason ? reason : "unknown"));
  }
  auto make = reinterpret_cast<cllm_cuda_make_model_fn>(dlsym(handle, "cllm_cuda_make_model"));
  auto count = reinterpret_cast<cllm_cuda_device_count_fn>(dlsym(handle, "cllm_cuda_device_count_raw"));
  auto info = reinterpret_cast<cllm_cuda_device_info_fn>(dlsym(handle, "cllm_cuda_device_info_raw"));
  if (!make || !count || !info) {
    dlclose(handle);
    throw Error(CLLM_ERR_UNSUPPORTED, path + " is not a cllm CUDA backend (missing entry points)");
  }
  // The handle stays open for the life of the process: models it creates hold code from it.
  loaded_plugin = std::make_unique<DlopenCudaPlugin>(make, count, info);
  loaded_path = path;
}

std::string default_plugin_path() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&default_plugin_path), &info) == 0 || !info.dli_fname) {
    return "libcllm_cuda.so";
  }
  std::string self = info.dli_fname;
  const auto slash = self.rfind('/');
  return (slash == std::string::npos ? std::string() : self.substr(0, slash + 1)) + "libcllm_cuda.so";
}

}  // namespace

void cuda_plugin_load(const std::string& path) {
  std::lock_guard<std::mutex> lock(plugin_mutex);
  load_locked(path);
}

CudaPlugin& cuda_plugin() {
  std::lock_guard<std::mutex> lock(plugin_mutex);
  if (!loaded_plugin) load_locked(default_plugin_path());
  return *loaded_plugin;
}

}  // namespace cllm
