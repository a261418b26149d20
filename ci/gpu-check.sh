#!/usr/bin/env bash
# GPU check: on a machine with an NVIDIA GPU and the CUDA 13 toolkit (no Java, no network needed).
#   1. builds the native code with CMake (Release; only the GPU's own architecture when it is Hopper
#      or Ampere, to save build time),
#   2. runs ctest: every native test, including the CUDA kernels against their CPU twins and the CUDA
#      backend against the CPU backend through the C ABI,
#   3. runs the benchmarks: cllm-bench --backend cuda on the 1B shape (and 7B when time allows), the
#      block GEMM alone (cllm-gpu-bench --gemm), and cllm-bench on the CPU with its tiny preset,
#   4. prints the GPU, whether cuBLAS is installed, and a short markdown table last.
# Sized to finish in under 8 minutes including the build. Logs go to $OUT (or ./gpu-check-logs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

START=$(date +%s)
LOGS="${OUT:-$PWD/gpu-check-logs}"
mkdir -p "$LOGS"
BUILD="${BUILD_DIR:-$PWD/build-gpu}"
stamp() { printf '[%s +%4ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - START ))" "$*"; }
elapsed() { echo $(( $(date +%s) - START )); }

command -v cmake >/dev/null || { echo "gpu-check: cmake not found" >&2; exit 2; }
command -v nvcc >/dev/null || export PATH="/usr/local/cuda/bin:$PATH"
command -v nvcc >/dev/null || { echo "gpu-check: nvcc not found (CUDA toolkit)" >&2; exit 2; }

GPU_NAME="unknown"; CC=""
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv | tee "$LOGS/nvidia-smi.txt"
  GPU_NAME=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
  CC=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d ' .')
fi
CUBLAS=$(ls /usr/local/cuda/lib64 2>/dev/null | grep -i cublas | tr '\n' ' ' || true)
stamp "GPU: $GPU_NAME (compute capability ${CC:-?}); cuBLAS: ${CUBLAS:-none}"
nvcc --version | tail -2 | tee "$LOGS/nvcc.txt"

ARCHS="80;90"
case "$CC" in
  90|80) ARCHS="$CC" ;;  # Hopper or A100: build only the GPU's own architecture
esac
JOBS=$(nproc 2>/dev/null || echo 8)

configure_and_build() {
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES="$ARCHS" -DCLLM_WERROR=OFF "$@" \
    >"$LOGS/configure.log" 2>&1 &&
  cmake --build "$BUILD" --parallel "$JOBS" >"$LOGS/build.log" 2>&1
}
stamp "configure + build (architectures $ARCHS, $JOBS jobs)"
if ! configure_and_build; then
  # The cuBLAS comparison is optional: never let it block the check.
  stamp "build failed; retrying without the cuBLAS comparison (see $LOGS/build.log)"
  cp "$LOGS/build.log" "$LOGS/build-with-cublas.log" || true
  configure_and_build -DCLLM_WITH_CUBLAS=OFF || { tail -50 "$LOGS/build.log"; exit 1; }
fi
echo "build warnings: $(grep -c 'warning' "$LOGS/build.log" || true)"
stamp "build done"

CTEST_STATUS=passed
stamp "ctest"
if ! CLLM_CUDA_VERBOSE=1 timeout 300 ctest --test-dir "$BUILD" -V --timeout 240 \
    >"$LOGS/ctest.log" 2>&1; then
  CTEST_STATUS=FAILED
fi
grep -E "rel err|SKIP|device|first difference|FAIL|fall back|WHILE|checks passed|Passed|Failed" "$LOGS/ctest.log" \
  | sed 's/^[0-9]*: //' | head -80 || true
stamp "ctest $CTEST_STATUS"

# Out-of-bounds and misaligned accesses of the kernels (their tests under compute-sanitizer), when the
# toolkit has it and time allows.
MEMCHECK="not run"
SANITIZER=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)
if [ -n "$SANITIZER" ] && [ -x "$BUILD/test_cuda_kernels" ]; then
  stamp "compute-sanitizer memcheck on test_cuda_kernels"
  if timeout 150 "$SANITIZER" --tool memcheck --error-exitcode 3 "$BUILD/test_cuda_kernels" >"$LOGS/memcheck.log" 2>&1; then
    MEMCHECK=clean
  else
    MEMCHECK="errors or timeout (exit $?, see memcheck.log)"
  fi
  grep -E "ERROR SUMMARY|Invalid|FAIL" "$LOGS/memcheck.log" | head -20 || true
  stamp "memcheck: $MEMCHECK"
fi

BENCH=$(find "$BUILD" -maxdepth 3 -type f -name cllm-bench -perm -u+x | head -1 || true)
GPU_BENCH="$BUILD/cllm-gpu-bench"
SUMMARIES=()
run_model_bench() {  # preset, extra args...: cllm-bench on the GPU (with its GPU section)
  local preset=$1; shift
  stamp "cllm-bench --backend cuda --preset $preset $*"
  if CLLM_CUDA_VERBOSE=1 timeout 240 "$BENCH" --backend cuda --preset "$preset" "$@" \
      >"$LOGS/bench-cuda-$preset.md" 2>"$LOGS/bench-cuda-$preset.err"; then
    cat "$LOGS/bench-cuda-$preset.md"
    SUMMARIES+=("$(grep '^SUMMARY|' "$LOGS/bench-cuda-$preset.md" || true)")
  else
    echo "cllm-bench cuda $preset failed:"; tail -20 "$LOGS/bench-cuda-$preset.err"
  fi
}
if [ -n "$BENCH" ]; then
  run_model_bench 1b --blocks 1,8,16,32,64 --graph --ar-tokens 32
  if [ "$(elapsed)" -lt 300 ]; then
    run_model_bench 7b --blocks 1,8,16,32,64 --graph --iters 5 --warmup 2 --ar-tokens 16
  else
    stamp "skipping 7b: $(elapsed) s used"
  fi
else
  echo "cllm-bench not built: skipping the model benchmarks"
fi
# The block GEMM alone on the 7B shapes (and cuBLAS where built), with the peak and copy bandwidth.
stamp "cllm-gpu-bench --gemm"
timeout 120 "$GPU_BENCH" --no-model --gemm --blocks 1,8,16,64 >"$LOGS/bench-gemm.md" 2>&1 || echo "cllm-gpu-bench failed"
cat "$LOGS/bench-gemm.md"
if [ -n "$BENCH" ] && [ "$(elapsed)" -lt 400 ]; then
  stamp "cllm-bench (CPU, tiny preset)"
  timeout 60 "$BENCH" --preset tiny --backend cpu --iters 3 >"$LOGS/bench-cpu-tiny.txt" 2>&1 || true
  tail -15 "$LOGS/bench-cpu-tiny.txt"
fi

stamp "done in $(elapsed) s; logs in $LOGS"
echo
echo "## GPU check: $GPU_NAME"
echo
echo "- cuBLAS: ${CUBLAS:-none}; native tests: $CTEST_STATUS; memcheck: $MEMCHECK; architectures built: $ARCHS; total $(elapsed) s"
echo
echo "| preset | AR step ms | AR weights GB/s | % of peak | 16-row iteration / AR step | block n=16 ms/iter (WHILE) | (host loop) |"
echo "|---|---|---|---|---|---|---|"
for s in ${SUMMARIES[@]+"${SUMMARIES[@]}"}; do
  [ -n "$s" ] || continue
  IFS='|' read -r _ preset ar gbs pct ratio w l <<<"$s"
  echo "| $preset | $ar | $gbs | $pct% | ${ratio}x | $w | $l |"
done
[ "$CTEST_STATUS" = passed ]
