// cllm-gguf-random: the seeded random model of cllm-bench (same preset, same seed, same values) as a
// GGUF file that llama.cpp loads, so that both engines can be timed on the same weights
// (ci/bench-vs-llamacpp.sh):
//
//   cllm-gguf-random --preset 110m --type q8_0 --seed 1 --out random-110m-q8_0.gguf
//
// Matrices are written in the asked type (f32; bf16 rounded to nearest even; q8_0 with ggml's own
// quantiser, the one the CPU backend uses too), norm vectors as f32, as llama.cpp's converter does. Q and
// K rows are permuted from Hugging Face's rotary layout (rotate_half) to GGUF's interleaved one, so the
// file holds the same function as the cllm model. A matrix whose rows are not a multiple of 32 long
// cannot be Q8_0 and stays f32. The vocabulary is a placeholder (SentencePiece-style: <unk>, <s>, </s>,
// 256 byte tokens, then filler pieces): llama.cpp needs one to load a model, the benchmarks need no text.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "backend.hpp"
#include "cpu/weight_packing.hpp"
#include "gguf_writer.hpp"
#include "presets.hpp"
#include "random_model.hpp"

namespace {

using cllm::bench::GgmlType;

[[noreturn]] void usage(const char* error) {
  if (error) std::fprintf(stderr, "cllm-gguf-random: %s\n\n", error);
  std::fprintf(error ? stderr : stdout,
               "usage: cllm-gguf-random --out FILE [--preset 110m|1b|7b|3m|tiny] [--type f32|bf16|q8_0] [--seed N]\n"
               "                        [--context N]\n"
               "  writes cllm-bench's seeded random model (defaults: 110m, f32, seed 1, context 2048) as GGUF\n");
  std::exit(error ? 2 : 0);
}

const char* tensor_name(int32_t tensor) {
  switch (tensor) {
    case CLLM_TENSOR_TOKEN_EMBEDDING:
      return "token_embd";
    case CLLM_TENSOR_ATTN_NORM:
      return "attn_norm";
    case CLLM_TENSOR_WQ:
      return "attn_q";
    case CLLM_TENSOR_WK:
      return "attn_k";
    case CLLM_TENSOR_WV:
      return "attn_v";
    case CLLM_TENSOR_WO:
      return "attn_output";
    case CLLM_TENSOR_FFN_NORM:
      return "ffn_norm";
    case CLLM_TENSOR_W_GATE:
      return "ffn_gate";
    case CLLM_TENSOR_W_UP:
      return "ffn_up";
    case CLLM_TENSOR_W_DOWN:
      return "ffn_down";
    case CLLM_TENSOR_FINAL_NORM:
      return "output_norm";
    default:
      return "output";
  }
}

std::string full_name(int32_t tensor, int32_t layer) {
  return (layer >= 0 ? "blk." + std::to_string(layer) + "." : std::string()) + tensor_name(tensor) + ".weight";
}

// Hugging Face rotary layout to GGUF's: within each head, row s * half + i moves to 2 * i + s.
std::vector<float> interleave_heads(const std::vector<float>& w, int32_t heads, int32_t head_dim, int32_t cols) {
  std::vector<float> out(w.size());
  const int32_t half = head_dim / 2;
  for (int32_t h = 0; h < heads; ++h)
    for (int32_t s = 0; s < 2; ++s)
      for (int32_t i = 0; i < half; ++i) {
        const float* from = &w[(size_t(h) * head_dim + size_t(s) * half + i) * cols];
        std::memcpy(&out[(size_t(h) * head_dim + 2 * size_t(i) + s) * cols], from, size_t(cols) * sizeof(float));
      }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string preset = "110m", type_name = "f32", out;
  uint64_t seed = 1;
  int32_t context = 2048;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") usage(nullptr);
    if (i + 1 >= argc) usage(("missing value for " + arg).c_str());
    const char* value = argv[++i];
    if (arg == "--preset")
      preset = value;
    else if (arg == "--type")
      type_name = value;
    else if (arg == "--seed")
      seed = std::strtoull(value, nullptr, 10);
    else if (arg == "--context")
      context = std::atoi(value);
    else if (arg == "--out")
      out = value;
    else
      usage(("unknown option " + arg).c_str());
  }
  if (out.empty()) usage("--out is required");
  GgmlType type;
  uint32_t file_type;  // llama.cpp's llama_ftype: ALL_F32, MOSTLY_BF16, MOSTLY_Q8_0
  if (type_name == "f32")
    type = GgmlType::f32, file_type = 0;
  else if (type_name == "bf16")
    type = GgmlType::bf16, file_type = 32;
  else if (type_name == "q8_0")
    type = GgmlType::q8_0, file_type = 7;
  else
    usage(("unknown type " + type_name).c_str());
  cllm_config c{};
  if (!cllm::bench::preset_config(preset, context, &c)) usage(("unknown preset " + preset).c_str());

  cllm::bench::GgufWriter gguf;
  gguf.add_string("general.architecture", "llama");
  gguf.add_string("general.name", "cllm random " + preset + " seed " + std::to_string(seed));
  gguf.add_u32("general.file_type", file_type);
  gguf.add_u32("llama.context_length", uint32_t(c.max_seq_len));
  gguf.add_u32("llama.embedding_length", uint32_t(c.dim));
  gguf.add_u32("llama.block_count", uint32_t(c.n_layers));
  gguf.add_u32("llama.feed_forward_length", uint32_t(c.hidden_dim));
  gguf.add_u32("llama.attention.head_count", uint32_t(c.n_heads));
  gguf.add_u32("llama.attention.head_count_kv", uint32_t(c.n_kv_heads));
  gguf.add_u32("llama.rope.dimension_count", uint32_t(c.head_dim));
  gguf.add_u32("llama.vocab_size", uint32_t(c.vocab_size));
  gguf.add_f32("llama.attention.layer_norm_rms_epsilon", c.norm_eps);
  gguf.add_f32("llama.rope.freq_base", c.rope_theta);
  std::vector<std::string> tokens;
  std::vector<float> scores;
  std::vector<int32_t> token_types;  // 1 normal, 2 unknown, 3 control, 6 byte
  for (int32_t id = 0; id < c.vocab_size; ++id) {
    char piece[16];
    if (id == 0)
      std::snprintf(piece, sizeof piece, "<unk>");
    else if (id == 1)
      std::snprintf(piece, sizeof piece, "<s>");
    else if (id == 2)
      std::snprintf(piece, sizeof piece, "</s>");
    else if (id < 3 + 256)
      std::snprintf(piece, sizeof piece, "<0x%02X>", id - 3);
    else
      std::snprintf(piece, sizeof piece, "t%d", id);
    tokens.push_back(piece);
    scores.push_back(-float(id));
    token_types.push_back(id == 0 ? 2 : id < 3 ? 3 : id < 3 + 256 ? 6 : 1);
  }
  gguf.add_string("tokenizer.ggml.model", "llama");
  gguf.add_strings("tokenizer.ggml.tokens", tokens);
  gguf.add_f32s("tokenizer.ggml.scores", scores);
  gguf.add_i32s("tokenizer.ggml.token_type", token_types);
  gguf.add_u32("tokenizer.ggml.unknown_token_id", 0);
  gguf.add_u32("tokenizer.ggml.bos_token_id", 1);
  gguf.add_u32("tokenizer.ggml.eos_token_id", 2);

  // Tensor infos first (their sizes fix the offsets), in the order the values are generated.
  auto type_of = [&](int32_t tensor) {
    const bool vector =
        tensor == CLLM_TENSOR_ATTN_NORM || tensor == CLLM_TENSOR_FFN_NORM || tensor == CLLM_TENSOR_FINAL_NORM;
    if (vector) return GgmlType::f32;
    if (type == GgmlType::q8_0 && cllm::tensor_row_length(c, tensor) % 32 != 0) return GgmlType::f32;
    return type;
  };
  cllm::testing::for_each_random_tensor(c, seed, [&](int32_t tensor, int32_t layer, const std::vector<float>& values) {
    const uint64_t cols = uint64_t(cllm::tensor_row_length(c, tensor)), rows = values.size() / cols;
    std::vector<uint64_t> ne = rows > 1 ? std::vector<uint64_t>{cols, rows} : std::vector<uint64_t>{cols};
    gguf.add_tensor(full_name(tensor, layer), ne, type_of(tensor));
  });
  if (!gguf.begin(out)) {
    std::fprintf(stderr, "cllm-gguf-random: cannot write %s\n", out.c_str());
    return 1;
  }
  std::vector<uint8_t> bytes;
  cllm::testing::for_each_random_tensor(
      c, seed, [&](int32_t tensor, int32_t layer, const std::vector<float>& original) {
        const int32_t cols = int32_t(cllm::tensor_row_length(c, tensor));
        std::vector<float> values = original;
        if (tensor == CLLM_TENSOR_WQ) values = interleave_heads(original, c.n_heads, c.head_dim, cols);
        if (tensor == CLLM_TENSOR_WK) values = interleave_heads(original, c.n_kv_heads, c.head_dim, cols);
        const GgmlType t = type_of(tensor);
        bytes.resize(size_t(cllm::bench::ggml_bytes(t, values.size())));
        if (t == GgmlType::f32) {
          std::memcpy(bytes.data(), values.data(), bytes.size());
        } else if (t == GgmlType::bf16) {
          for (size_t i = 0; i < values.size(); ++i) {
            const uint16_t b = cllm::float_to_bf16(values[i]);
            std::memcpy(&bytes[2 * i], &b, 2);
          }
        } else {
          cllm::cpu::quantize_q8_0(bytes.data(), values.data(), int64_t(values.size()));
        }
        gguf.write_tensor(bytes.data(), bytes.size());
        (void)layer;
      });
  if (!gguf.finish()) {
    std::fprintf(stderr, "cllm-gguf-random: writing %s failed\n", out.c_str());
    return 1;
  }
  std::fprintf(stderr, "cllm-gguf-random: wrote %s (preset %s, seed %llu, %s matrices)\n", out.c_str(), preset.c_str(),
               (unsigned long long)seed, type_name.c_str());
  return 0;
}
