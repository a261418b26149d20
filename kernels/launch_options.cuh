// Launch options shared by the kernels of the per-layer sequence, and programmatic dependent launch
// (PDL): a kernel launched with cudaLaunchAttributeProgrammaticStreamSerialization may start while the
// kernel before it in the stream (or captured graph) still runs; it must not touch anything that
// kernel writes or reads until griddepcontrol.wait (pdl_wait) returns, which happens once every
// earlier grid has completed and its memory operations are visible.
//
// The rule every PDL-aware kernel here follows (the WAR and RAW argument, also in native/cuda/NOTES.md):
//   - before pdl_wait() a kernel only READS memory that no kernel of the sequence ever writes (the
//     weights, uploaded and synchronized when the model was created); it writes nothing;
//   - everything else (activations, the device-resident row count and length, the KV cache, logits,
//     partial attention sums, the RoPE table) is read or written only after pdl_wait();
//   - pdl_launch_dependents() is called right after pdl_wait(), so the next kernel can start only once
//     every block of this one has passed its own wait, that is once the kernel before this one has
//     completed: at most two kernels of the sequence overlap, and the later one is in its weight-only
//     prologue. No kernel can write a buffer an earlier one still reads (no WAR), nor read one an
//     earlier one has not finished writing (no RAW).
// On devices below compute capability 9.0 the instructions do not exist: the helpers compile to
// nothing there and the host never sets the attribute (the session checks the device first).
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

namespace cllm::cuda {

struct LaunchOptions {
  bool pdl = false;    // launch with the programmatic-stream-serialization attribute (cc >= 9.0 only)
  int32_t spread = 1;  // RMSNorm and RoPE/KV: thread blocks per row (1 = one block per row)
};

__device__ __forceinline__ void pdl_wait() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

__device__ __forceinline__ void pdl_launch_dependents() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

// Launches kernel<<<grid, block, smem, stream>>>(args...), with the PDL attribute when pdl is set.
// Returns the launch status (an attribute the device or a stream capture does not accept fails here).
template <typename... Params, typename... Args>
cudaError_t launch_kernel(void (*kernel)(Params...), dim3 grid, dim3 block, size_t smem, cudaStream_t stream, bool pdl,
                          Args&&... args) {
  cudaLaunchConfig_t config{};
  config.gridDim = grid;
  config.blockDim = block;
  config.dynamicSmemBytes = smem;
  config.stream = stream;
  cudaLaunchAttribute attribute[1];
  attribute[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attribute[0].val.programmaticStreamSerializationAllowed = 1;
  config.attrs = pdl ? attribute : nullptr;
  config.numAttrs = pdl ? 1u : 0u;
  const cudaError_t status = cudaLaunchKernelEx(&config, kernel, static_cast<Args&&>(args)...);
  return status != cudaSuccess ? status : cudaGetLastError();
}

}  // namespace cllm::cuda
