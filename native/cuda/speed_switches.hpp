// Opt-in speed switches of the CUDA backend, read from the environment when a session is created. Each
// is off by default (the plain path stays the default until a GPU run has measured it); each is
// described, with its expected effect and how ci/gpu-check measures it, in native/cuda/NOTES.md.
//   CLLM_CUDA_PDL=1            programmatic dependent launch inside the captured graphs (cc >= 9.0 and a
//                              driver >= 12.3; ignored elsewhere, and CLLM_CUDA_VERBOSE says so)
//   CLLM_CUDA_ROPE_TABLE=1     RoPE (cos, sin) from a per-position table filled once per session
//   CLLM_CUDA_ROW_SPREAD=1     RMSNorm and RoPE/KV spread over several blocks per row
//   CLLM_CUDA_ATTN_V2=1        second attention variant (SM-filling chunk, 16-byte loads, warps over positions)
//   CLLM_CUDA_GEMM_PREFETCH=1  double-buffered weight loads in the block GEMM
// Plain C++ (no CUDA headers) so that the host test checks the parsing and the PDL eligibility.
#pragma once

#include <cstdint>
#include <string>

namespace cllm::cuda {

struct SpeedSwitches {
  bool pdl_requested = false;  // CLLM_CUDA_PDL=1
  bool pdl = false;            // requested and supported by the device and driver
  bool rope_table = false;
  bool row_spread = false;
  bool attention_v2 = false;
  bool gemm_prefetch = false;
};

// PDL inside graphs needs the griddepcontrol instructions (compute capability 9.0) and a driver that
// captures programmatic edges into graphs (CUDA 12.3, reported as 12030).
bool pdl_supported(int32_t cc_major, int32_t driver_version);

// Reads the switches; a value other than unset, empty, 0 or 1 is an INVALID_ARGUMENT error naming it.
SpeedSwitches speed_switches_from_environment(int32_t cc_major, int32_t driver_version);

// One line for CLLM_CUDA_VERBOSE, e.g. "PDL on, ROPE_TABLE off, ...".
std::string describe(const SpeedSwitches& switches);

}  // namespace cllm::cuda
