#include "speed_switches.hpp"

#include <cstdlib>
#include <cstring>

#include "backend.hpp"

namespace cllm::cuda {
namespace {

bool switch_on(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value || std::strcmp(value, "0") == 0) return false;
  if (std::strcmp(value, "1") == 0) return true;
  throw Error(CLLM_ERR_INVALID_ARGUMENT, std::string(name) + " must be 0 or 1, got '" + value + "'");
}

}  // namespace

bool pdl_supported(int32_t cc_major, int32_t driver_version) { return cc_major >= 9 && driver_version >= 12030; }

SpeedSwitches speed_switches_from_environment(int32_t cc_major, int32_t driver_version) {
  SpeedSwitches s;
  s.pdl_requested = switch_on("CLLM_CUDA_PDL");
  s.pdl = s.pdl_requested && pdl_supported(cc_major, driver_version);
  s.rope_table = switch_on("CLLM_CUDA_ROPE_TABLE");
  s.row_spread = switch_on("CLLM_CUDA_ROW_SPREAD");
  s.attention_v2 = switch_on("CLLM_CUDA_ATTN_V2");
  s.gemm_prefetch = switch_on("CLLM_CUDA_GEMM_PREFETCH");
  return s;
}

std::string describe(const SpeedSwitches& s) {
  auto on = [](bool b) { return b ? "on" : "off"; };
  std::string text = std::string("PDL ") + on(s.pdl);
  if (s.pdl_requested && !s.pdl) text += " (requested; needs compute capability 9.0 and a CUDA 12.3 driver)";
  text += std::string(", ROPE_TABLE ") + on(s.rope_table) + ", ROW_SPREAD " + on(s.row_spread) + ", ATTN_V2 " +
          on(s.attention_v2) + ", GEMM_PREFETCH " + on(s.gemm_prefetch);
  return text;
}

}  // namespace cllm::cuda
