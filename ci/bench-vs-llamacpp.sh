#!/usr/bin/env bash
# cllm against llama.cpp on the CPU, on the same random weights: the llama2.c 110M shape (dim 768, 12
# layers, 12 heads, hidden 2048, vocab 32000, tied) at f32, bf16 and q8_0 weights. Not run in CI (it
# times things): run it on an otherwise idle machine.
#
#   ci/bench-vs-llamacpp.sh LLAMA_CPP_BUILD_DIR [CLLM_BUILD_DIR]
#
# LLAMA_CPP_BUILD_DIR holds llama-bench (bin/llama-bench or llama-bench, a CPU build of llama.cpp).
# CLLM_BUILD_DIR holds this project's CMake build (default ./build, built here when cllm-bench or
# cllm-gguf-random is missing). Environment: THREADS (default 2), TYPES (default "f32 bf16 q8_0"),
# REPS (llama-bench repetitions and cllm-bench timed runs, default 5), OUT (default ./bench-vs-llamacpp).
#
# Per type: cllm-gguf-random writes cllm-bench's seed-1 model as GGUF (Q and K rows in GGUF's rotary
# layout, so it is the same model; q8_0 quantised by ggml's rule, so both engines hold the same blocks);
# llama-bench runs pp16 (a 16-token prompt) and tg64 (64 generated tokens) from an empty context, and
# cllm-bench the same shapes: a 16-token forward and 64 greedy AR tokens from position 0. The table
# compares AR tokens/s (the issue's target: cllm >= 1.1x llama.cpp at bf16 and q8_0), the 16-token forward
# time (target: cllm's faster than llama.cpp's pp16), and cllm's n = 16 / n = 1 forward cost ratio.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LLAMA_DIR="${1:?usage: ci/bench-vs-llamacpp.sh LLAMA_CPP_BUILD_DIR [CLLM_BUILD_DIR]}"
BUILD="${2:-$PWD/build}"
THREADS="${THREADS:-2}"
TYPES="${TYPES:-f32 bf16 q8_0}"
REPS="${REPS:-5}"
OUT="${OUT:-$PWD/bench-vs-llamacpp}"
mkdir -p "$OUT"

LLAMA_BENCH=""
for candidate in "$LLAMA_DIR/bin/llama-bench" "$LLAMA_DIR/llama-bench"; do
  [[ -x "$candidate" ]] && LLAMA_BENCH="$candidate" && break
done
[[ -n "$LLAMA_BENCH" ]] || { echo "bench-vs-llamacpp: no llama-bench in $LLAMA_DIR (or its bin/)" >&2; exit 2; }

if [[ ! -x "$BUILD/native/bench/cllm-bench" || ! -x "$BUILD/native/bench/cllm-gguf-random" ]]; then
  echo "bench-vs-llamacpp: building cllm-bench and cllm-gguf-random in $BUILD" >&2
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCLLM_ENABLE_CUDA=OFF >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target cllm-bench cllm-gguf-random >/dev/null
fi
CLLM_BENCH="$BUILD/native/bench/cllm-bench"
GGUF_RANDOM="$BUILD/native/bench/cllm-gguf-random"

CPU_MODEL=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
CPU_FLAGS=$(grep -o -w -E 'avx2|avx512f|avx512_vnni|avx512_bf16|avx_vnni|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
echo "CPU: $CPU_MODEL ($(nproc) CPUs; $CPU_FLAGS); load average $LOAD; $THREADS threads" | tee "$OUT/cpu.txt"

# "| ... | pp16 |  627.12 ± 3.21 |" -> 627.12 (the t/s column is the last one).
llama_ts() { grep -E "\|[[:space:]]*$2[[:space:]]*\|" "$1" | awk -F'|' '{ print $(NF-1) }' | awk '{ print $1 }' | head -1; }
# A number from cllm-bench's JSON: the forward_ms of block n, or the AR tokens/s.
forward_ms() { grep -E "\"n\": $2," "$1" | sed -E 's/.*"forward_ms": ([0-9.]+).*/\1/'; }
ar_tps() { grep '"ar":' "$1" | sed -E 's/.*"tokens_per_s": ([0-9.]+).*/\1/'; }
kernels() { sed -nE 's/.*"kernels": "([^"]+)".*/\1/p' "$1"; }

ROWS=""
for type in $TYPES; do
  gguf="$OUT/random-110m-$type.gguf"
  [[ -f "$gguf" ]] || "$GGUF_RANDOM" --preset 110m --type "$type" --seed 1 --out "$gguf"
  echo "== $type: llama-bench" >&2
  "$LLAMA_BENCH" -m "$gguf" -t "$THREADS" -p 16 -n 64 -r "$REPS" -o md | tee "$OUT/llama-bench-$type.md" >&2
  echo "== $type: cllm-bench" >&2
  "$CLLM_BENCH" --preset 110m --seed 1 --weights "$type" --threads "$THREADS" --context 0 --blocks 1,16 \
    --iters "$REPS" --ar-tokens 64 --json "$OUT/cllm-bench-$type.json" | tee "$OUT/cllm-bench-$type.txt" >&2
  pp=$(llama_ts "$OUT/llama-bench-$type.md" pp16)
  tg=$(llama_ts "$OUT/llama-bench-$type.md" tg64)
  json="$OUT/cllm-bench-$type.json"
  f1=$(forward_ms "$json" 1)
  f16=$(forward_ms "$json" 16)
  ar=$(ar_tps "$json")
  ROWS+=$(awk -v t="$type" -v k="$(kernels "$json")" -v ar="$ar" -v tg="$tg" -v f1="$f1" -v f16="$f16" -v pp="$pp" 'BEGIN {
    pp_ms = 16000 / pp;
    printf "| %s | %s | %.1f | %.1f | %.2fx | %.2f | %.2f | %s | %.2fx |\n", t, k, ar, tg, ar / tg, f16, pp_ms,
           (f16 < pp_ms ? "yes" : "no"), f16 / f1 }')$'\n'
done

{
  echo "cllm vs llama.cpp, llama2.c 110M shape, random weights (seed 1), $THREADS threads"
  echo "CPU: $CPU_MODEL ($CPU_FLAGS); load average before: $LOAD"
  echo
  echo "| weights | cllm kernels | cllm AR tokens/s | llama.cpp tg64 tokens/s | AR ratio | cllm 16-token forward ms | llama.cpp pp16 ms | cllm faster | cllm n=16 / n=1 |"
  echo "|---|---|---:|---:|---:|---:|---:|---|---:|"
  printf '%s' "$ROWS"
} | tee "$OUT/summary.md"
