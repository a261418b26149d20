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

__global__ void __launch_bounds__(kThreads) jacobi_begin_kernel(JacobiState* state, const JacobiBegin begin) {
  __shared__ JacobiCore core;
  if (threadIdx.x == 0) jacobi_begin(core, begin);
  __syncthreads();
  store_core(state->core, core);
  record_state(state, core);  // state 0 = the initial state
}

__global__ void __launch_bounds__(kThreads) jacobi_update_kernel(JacobiState* state) {
  __shared__ JacobiCore core;
  load_core(core, state->core);
  __syncthreads();
  if (threadIdx.x == 0) jacobi_update(core);
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

cudaError_t launch_jacobi_update(JacobiState* state, cudaStream_t stream) {
  if (state == nullptr) return cudaErrorInvalidValue;
  jacobi_update_kernel<<<1, kThreads, 0, stream>>>(state);
  return cudaGetLastError();
}

cudaError_t launch_jacobi_continue(const JacobiState* state, cudaGraphConditionalHandle handle, cudaStream_t stream) {
  if (state == nullptr) return cudaErrorInvalidValue;
  jacobi_continue_kernel<<<1, 1, 0, stream>>>(state, handle);
  return cudaGetLastError();
}

}  // namespace cllm::cuda
