// A plain scalar Llama forward in double precision over the same seeded random weights as
// make_random_model: the independent reference the native tests hold every backend (and every CPU ISA
// path) to. Slow by design; use it on small shapes. Rotary angles follow Hugging Face (fp32 inverse
// frequencies and fp32 angles), everything else accumulates in double.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cllm/cllm.h"

namespace cllm::testing {

class ReferenceModel {
 public:
  ReferenceModel(const cllm_config& config, uint64_t seed);
  // Forwards tokens at positions length()..length()+n-1; returns logits [n][vocab_size].
  std::vector<float> forward(const int32_t* tokens, int32_t n);
  void truncate(int32_t length) { length_ = length; }
  int32_t length() const { return length_; }

 private:
  struct Layer {
    std::vector<float> attn_norm, wq, wk, wv, wo, ffn_norm, w_gate, w_up, w_down;
  };
  std::vector<double> forward_one(int32_t token, int32_t position);
  cllm_config c_;
  std::vector<float> embedding_, final_norm_, output_;
  std::vector<Layer> layers_;
  std::vector<std::vector<double>> k_cache_, v_cache_;  // [layer][position * kv_dim + i]
  int32_t length_ = 0;
};

// max |a - b| / max |b|, the error measure of docs/ARCHITECTURE.md (Numerics) (0 when both are all zeros). A NaN or
// infinity anywhere counts as infinitely wrong (fmax alone would skip a NaN), and so do vectors of different sizes.
double max_relative_error(const float* a, const float* b, size_t n);
double max_relative_error(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace cllm::testing
