// The Jacobi step on the device: start a call (window, mode, block or run settings), accept after the
// argmax (converged prefix, commit, fast-forward or refill with fresh guesses, per-iteration counts, done
// flag, recorded state), and tell a graph's WHILE node whether to run another iteration. CPU twin: the
// defaults in native/src/jacobi.cpp.
#pragma once

#include <cuda_runtime.h>

#include "jacobi_state.hpp"

namespace cllm::cuda {

cudaError_t launch_jacobi_begin(JacobiState* state, const JacobiBegin& begin, cudaStream_t stream);
// buffers: the history and per-iteration arrays of block and run modes (JacobiBuffers); the form
// without them serves forward and step calls (and blocks whose counts nobody reads).
cudaError_t launch_jacobi_update(JacobiState* state, const JacobiBuffers& buffers, cudaStream_t stream);
cudaError_t launch_jacobi_update(JacobiState* state, cudaStream_t stream);
// Sets the WHILE condition to !done; only inside the body of a conditional node of that handle.
cudaError_t launch_jacobi_continue(const JacobiState* state, cudaGraphConditionalHandle handle, cudaStream_t stream);

}  // namespace cllm::cuda
