#include "jacobi.cuh"

namespace cllm::cuda {
namespace {

constexpr int kThreads = kMaxRows;
constexpr int kCoreWords = int(sizeof(JacobiCore) / sizeof(int32_t));
static_assert(sizeof(JacobiCore) % sizeof(int32_t) == 0, "JacobiCore is an array of int32");

// The sequential logic runs on one thread over a shared-memory copy (a few hundred cycles); the copies
// in and out use the whole block so that one thread never walks global memory.
__device__ void load_core(JacobiCore& shared, const JacobiCore& global) {
  int32_t* dst = reinterpret_cast<int32_t*>(&shared);
  const int32_t* src = reinterpret_cast<const int32_t*>(&global);
  for (int i = threadIdx.x; i < kCoreWords; i += kThreads) dst[i] = src[i];
}

__device__ void store_core(JacobiCore& global, const JacobiCore& shared) {
  int32_t* dst = reinterpret_cast<int32_t*>(&global);
  const int32_t* src = reinterpret_cast<const int32_t*>(&shared);
  for (int i = threadIdx.x; i < kCoreWords; i += kThreads) dst[i] = src[i];
}

__device__ void record_state(JacobiState* state, const JacobiCore& core) {
  if (core.mode != kJacobiBlock || !core.record_states) return;
  int32_t* row = state->states + int64_t(core.iterations) * core.n;
  for (int i = threadIdx.x; i < core.n; i += kThreads) row[i] = core.state[i];
}

// Every word of the shared core is zeroed first, so the stored state never carries leftovers of an
// earlier kernel's shared memory (tests compare the whole core with the host's jacobi_begin).
__global__ void __launch_bounds__(kThreads) jacobi_begin_kernel(JacobiState* state, const JacobiBegin begin) {
  __shared__ JacobiCore core;
  int32_t* words = reinterpret_cast<int32_t*>(&core);
  for (int i = threadIdx.x; i < kCoreWords; i += kThreads) words[i] = 0;
  __syncthreads();
  if (threadIdx.x == 0) jacobi_start(core, begin);
  __syncthreads();
  store_core(state->core, core);
  record_state(state, core);  // state 0 = the initial state
}

// Thread 0 runs the sequential accept/commit logic; then every thread computes fresh guesses for its
// window slots (each one global read of the history), and the block stores the core.
__global__ void __launch_bounds__(kThreads) jacobi_update_kernel(JacobiState* state, const JacobiBuffers buffers) {
  __shared__ JacobiCore core;
  load_core(core, state->core);
  __syncthreads();
  if (threadIdx.x == 0) jacobi_accept(core, buffers);
  __syncthreads();  // also makes thread 0's history appends visible to the block
  if (core.mode == kJacobiRun && !core.hit_eos) {
    for (int i = core.fresh_from + int(threadIdx.x); i < core.n; i += kThreads)
      jacobi_fill_guess(core, buffers.history, i);
  }
  __syncthreads();
  store_core(state->core, core);
  record_state(state, core);
}

__global__ void jacobi_continue_kernel(const JacobiState* state, cudaGraphConditionalHandle handle) {
  cudaGraphSetConditional(handle, state->core.done ? 0u : 1u);
}

}  // namespace

cudaError_t launch_jacobi_begin(JacobiState* state, const JacobiBegin& begin, cudaStream_t stream) {
  if (state == nullptr || begin.rows < 1 || begin.rows > kMaxRows) return cudaErrorInvalidValue;
  jacobi_begin_kernel<<<1, kThreads, 0, stream>>>(state, begin);
  return cudaGetLastError();
}

cudaError_t launch_jacobi_update(JacobiState* state, const JacobiBuffers& buffers, cudaStream_t stream) {
  if (state == nullptr) return cudaErrorInvalidValue;
  jacobi_update_kernel<<<1, kThreads, 0, stream>>>(state, buffers);
  return cudaGetLastError();
}

cudaError_t launch_jacobi_update(JacobiState* state, cudaStream_t stream) {
  return launch_jacobi_update(state, JacobiBuffers{}, stream);
}

cudaError_t launch_jacobi_continue(const JacobiState* state, cudaGraphConditionalHandle handle, cudaStream_t stream) {
  if (state == nullptr) return cudaErrorInvalidValue;
  jacobi_continue_kernel<<<1, 1, 0, stream>>>(state, handle);
  return cudaGetLastError();
}

}  // namespace cllm::cuda
