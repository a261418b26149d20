#!/usr/bin/env bash
# The native tests under sanitizers (CI runs this through `mvn -B verify`, in cllm-native's test phase):
#   - AddressSanitizer + UndefinedBehaviorSanitizer: every native CPU test (ctest, CUDA off);
#   - ThreadSanitizer: the thread-pool and CPU-backend tests, the code that runs on several threads.
# Any report fails the run (halt_on_error). Usage: ci/native-sanitizers.sh [BUILD_ROOT]
# (default: cllm-native/target/sanitizers). Skip it in Maven with -Dcllm.skipSanitizers.
set -euo pipefail
# Sanitizers slow everything down unevenly: the thread pool's timing-based property is checked in the
# plain ctest run only.
export CLLM_TEST_NO_TIMING=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_root="${1:-$root/cllm-native/target/sanitizers}"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
jobs=$(nproc 2>/dev/null || echo 2)

configure_and_build() {  # name, sanitizers, targets...
  local name=$1 sanitizers=$2; shift 2
  local dir="$build_root/$name"
  echo "sanitizers: building the native tests with -fsanitize=$sanitizers (log: $dir.log)"
  if ! { cmake -S "$root" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLLM_ENABLE_CUDA=OFF \
           -DCLLM_SANITIZE="$sanitizers" && cmake --build "$dir" --parallel "$jobs" "$@"; } >"$dir.log" 2>&1; then
    tail -40 "$dir.log"
    echo "sanitizers: the $name build failed (log: $dir.log)" >&2
    exit 1
  fi
}
mkdir -p "$build_root"

configure_and_build asan-ubsan address,undefined
echo "sanitizers: ctest under ASan + UBSan"
ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir "$build_root/asan-ubsan" --output-on-failure

configure_and_build tsan thread --target test_thread_pool test_cpu_backend
echo "sanitizers: thread pool and CPU backend under TSan"
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --test-dir "$build_root/tsan" --output-on-failure -R '^(thread_pool|thread_pool_env|cpu_backend)$'
echo "sanitizers: clean"
