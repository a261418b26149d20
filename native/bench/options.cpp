#include "options.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "cllm/cllm.h"
#include "presets.hpp"

namespace cllm::bench {
namespace {

[[noreturn]] void usage(const char* error) {
  if (error) std::fprintf(stderr, "cllm-bench: %s\n\n", error);
  std::fprintf(
      error ? stderr : stdout,
      "usage: cllm-bench [options]\n"
      "  --preset NAME              model shape (seeded random weights), default 110m: %s\n"
      "  --list-presets             print the presets (name and shape) and exit\n"
      "  --backend cpu|cuda         default cpu\n"
      "  --device N                 CUDA device ordinal, default 0\n"
      "  --blocks 1,4,16,32,64      block sizes n to time\n"
      "  --iters N                  timed repeats per measurement (median reported), default 10\n"
      "  --warmup N                 untimed repeats first, default 2\n"
      "  --context N                tokens already cached before each timed forward, default 64\n"
      "  --ar-tokens N              greedy AR decode length for tokens/s (0: skip), default 64\n"
      "  --sessions N               AR decode on N sessions at once, one thread each, default 1\n"
      "  --batch LIST               batched Jacobi: aggregate tokens/s of 1,2,.. sessions in one forward per\n"
      "                             iteration vs the same sessions stepping one by one (e.g. 1,2,4,8,16)\n"
      "  --batch-block N            window rows per session in the batched section, default 16\n"
      "  --batch-steps N            iterations timed per session count, default 20\n"
      "  --dtype f32|bf16|q8_0      weights as uploaded (default: f32 on cpu, bf16 on cuda; q8_0: GGUF blocks\n"
      "                             where rows are a multiple of 32, else f32)\n"
      "  --weights f32|bf16|q8_0    weight type the backend stores and computes with (default: the\n"
      "                             backend's, f32 on cpu, bf16 on cuda)\n"
      "  --check-logits             also report the logits' relative error against f32 weights on the cpu\n"
      "  --seed N                   weight seed, default 1\n"
      "  --threads N                CPU threads (cllm_set_num_threads; default: CLLM_NUM_THREADS or all CPUs)\n"
      "  --membw                    measure host memory read bandwidth first\n"
      "  --graph                    cuda: also time whole Jacobi blocks, WHILE graph vs host loop\n"
      "  --json FILE                also write the results as JSON\n",
      preset_names("|").c_str());
  std::exit(error ? 2 : 0);
}

int32_t to_int(const char* text, const char* name, int32_t min) {
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (!*text || *end || value < min || value > (1L << 30)) {
    usage((std::string("bad value for ") + name + ": " + text).c_str());
  }
  return int32_t(value);
}

}  // namespace

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage((std::string("missing value for ") + arg).c_str());
      return argv[++i];
    };
    if (!std::strcmp(arg, "--help") || !std::strcmp(arg, "-h")) {
      usage(nullptr);
    } else if (!std::strcmp(arg, "--preset")) {
      o.preset = value();
    } else if (!std::strcmp(arg, "--list-presets")) {
      o.list_presets = true;
    } else if (!std::strcmp(arg, "--backend")) {
      const std::string b = value();
      if (b == "cpu")
        o.backend = CLLM_BACKEND_CPU;
      else if (b == "cuda")
        o.backend = CLLM_BACKEND_CUDA;
      else
        usage(("unknown backend " + b).c_str());
    } else if (!std::strcmp(arg, "--device")) {
      o.device = to_int(value(), arg, 0);
    } else if (!std::strcmp(arg, "--blocks")) {
      o.blocks.clear();
      std::stringstream list(value());
      std::string item;
      while (std::getline(list, item, ',')) o.blocks.push_back(to_int(item.c_str(), "--blocks", 1));
      if (o.blocks.empty()) usage("--blocks needs at least one size");
    } else if (!std::strcmp(arg, "--iters")) {
      o.iters = to_int(value(), arg, 1);
    } else if (!std::strcmp(arg, "--warmup")) {
      o.warmup = to_int(value(), arg, 0);
    } else if (!std::strcmp(arg, "--context")) {
      o.context = to_int(value(), arg, 0);
    } else if (!std::strcmp(arg, "--ar-tokens")) {
      o.ar_tokens = to_int(value(), arg, 0);
    } else if (!std::strcmp(arg, "--sessions")) {
      o.sessions = to_int(value(), arg, 1);
    } else if (!std::strcmp(arg, "--batch")) {
      o.batch.clear();
      std::stringstream list(value());
      std::string item;
      while (std::getline(list, item, ',')) o.batch.push_back(to_int(item.c_str(), "--batch", 1));
    } else if (!std::strcmp(arg, "--batch-block")) {
      o.batch_block = to_int(value(), arg, 1);
      if (o.batch_block > 64) usage("--batch-block must be at most 64");
    } else if (!std::strcmp(arg, "--batch-steps")) {
      o.batch_steps = to_int(value(), arg, 1);
    } else if (!std::strcmp(arg, "--dtype") || !std::strcmp(arg, "--weights")) {
      const std::string d = value();
      int32_t dtype = -1;
      if (d == "f32")
        dtype = CLLM_DTYPE_F32;
      else if (d == "bf16")
        dtype = CLLM_DTYPE_BF16;
      else if (d == "q8_0")
        dtype = CLLM_DTYPE_Q8_0;
      else
        usage(("unknown " + std::string(arg + 2) + " " + d + " (f32, bf16 or q8_0)").c_str());
      (!std::strcmp(arg, "--dtype") ? o.dtype : o.weights) = dtype;
    } else if (!std::strcmp(arg, "--check-logits")) {
      o.check_logits = true;
    } else if (!std::strcmp(arg, "--seed")) {
      o.seed = uint64_t(to_int(value(), arg, 0));
    } else if (!std::strcmp(arg, "--threads")) {
      o.threads = to_int(value(), arg, 1);
    } else if (!std::strcmp(arg, "--membw")) {
      o.membw = true;
    } else if (!std::strcmp(arg, "--graph")) {
      o.graph = true;
    } else if (!std::strcmp(arg, "--json")) {
      o.json = value();
    } else {
      usage((std::string("unknown option ") + arg).c_str());
    }
  }
  if (o.dtype < 0) o.dtype = o.backend == CLLM_BACKEND_CUDA ? CLLM_DTYPE_BF16 : CLLM_DTYPE_F32;
  return o;
}

}  // namespace cllm::bench
