#!/usr/bin/env bash
# Test of ci/gpu-check.sh on a machine without a GPU, so that a broken script is caught before device
# minutes are spent on it. ctest runs it (gpu_check_script, registered where nvcc is found). Two runs:
#   1. the real check with a stub nvidia-smi that lists an H200 (and CUDA_VISIBLE_DEVICES=-1, which
#      hides any real GPU): the real build runs, the CUDA tests print "SKIP: no CUDA device", so the
#      script must exit non-zero within its deadline, leave at most 8 well-named files in $OUT, and
#      say in summary.md that the CUDA tests did not run;
#   2. the same with a deadline of 2 s: every step is skipped with a line saying so, and the script
#      still ends in time with its summary.
# Exit 0: all assertions held; 1: one failed (each prints FAIL); 77: skipped (run inside gpu-check).
#
#   ci/test-gpu-check.sh [SCRIPT]   SCRIPT: the check under test, default ci/gpu-check.sh (a variant
#                                   must sit in ci/ too: the check finds the repository from its folder)
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPT=$(readlink -f "${1:-$REPO/ci/gpu-check.sh}")
if [ -n "${CLLM_GPU_CHECK_SELFTEST:-}" ]; then
  echo "test-gpu-check: already inside a self-test run: skipped"
  exit 77
fi
export CLLM_GPU_CHECK_SELFTEST=1
# The toolchain of the build that registered this test (ctest passes it), first on PATH.
[ -n "${CLLM_TEST_CMAKE:-}" ] && PATH="$(dirname "$CLLM_TEST_CMAKE"):$PATH"
[ -n "${CLLM_TEST_NVCC:-}" ] && PATH="$(dirname "$CLLM_TEST_NVCC"):$PATH"
DEADLINE=${GPU_CHECK_SELFTEST_DEADLINE_S:-600}
GRACE=10  # seconds past the deadline allowed for the final summary and copies

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cllm-gpu-check-test.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin"
cat >"$WORK/bin/nvidia-smi" <<'STUB'
#!/usr/bin/env bash
# Stub nvidia-smi: answers --query-gpu=FIELDS --format=csv[,noheader] as one H200 would.
fields="" header=1
for arg in "$@"; do
  case $arg in
    --query-gpu=*) fields=${arg#*=} ;;
    --format=*noheader*) header=0 ;;
  esac
done
if [ -z "$fields" ]; then
  echo "GPU 0: NVIDIA H200 (UUID: GPU-00000000-stub)"
  exit 0
fi
declare -A value=([name]="NVIDIA H200" [driver_version]="580.159.04" [memory.total]="143771 MiB" [compute_cap]="9.0")
IFS=, read -ra names <<<"$fields"
row=()
for n in "${names[@]}"; do row+=("${value[$n]:-[N/A]}"); done
((header)) && (IFS=,; echo "${names[*]}") | sed 's/,/, /g'
(IFS=,; echo "${row[*]}") | sed 's/,/, /g'
STUB
chmod +x "$WORK/bin/nvidia-smi"

FAILED=0
check() {  # description, then a command that must succeed
  local what=$1
  shift
  if "$@"; then
    echo "ok:   $what"
  else
    echo "FAIL: $what"
    FAILED=1
  fi
}

# Runs gpu-check.sh with the stub; sets RC and SECONDS_TAKEN.
run_check() {  # name deadline
  local name=$1 deadline=$2 t0
  mkdir -p "$WORK/out-$name"
  t0=$(date +%s)
  env PATH="$WORK/bin:$PATH" OUT="$WORK/out-$name" BUILD_DIR="$WORK/build" CUDA_VISIBLE_DEVICES=-1 \
    GPU_CHECK_DEADLINE_S="$deadline" timeout --kill-after=10 $((deadline + 60)) bash "$SCRIPT" \
    >"$WORK/$name.stdout" 2>&1
  RC=$?
  SECONDS_TAKEN=$(($(date +%s) - t0))
  echo "--- gpu-check.sh ($name, deadline $deadline s): exit $RC after $SECONDS_TAKEN s; last lines of its output:"
  tail -n 25 "$WORK/$name.stdout"
  echo "---"
}

# What the device tool keeps of $OUT: at most 8 files, at most two folders down, plain names.
results_fit() {
  local out=$1 files bad
  files=$(find "$out" -type f | wc -l)
  bad=$(find "$out" -mindepth 1 | sed "s|^$out/||" | tr '/' '\n' | grep -cvE '^[A-Za-z0-9._-]+$')
  [ "$files" -le 8 ] && [ -z "$(find "$out" -mindepth 4)" ] && [ "$bad" -eq 0 ] &&
    [ -z "$(find "$out" -mindepth 1 ! -type f ! -type d)" ]
}
within() { [ "$SECONDS_TAKEN" -le $(($1 + GRACE)) ]; }
has() { grep -qiE "$2" "$1"; }

logs_existed=0
[ -e "$REPO/gpu-check-logs" ] && logs_existed=1

# 1. The real build, CUDA tests that skip although nvidia-smi lists a GPU.
run_check full "$DEADLINE"
OUT_FULL="$WORK/out-full"
check "exit status is non-zero (and not the outer timeout's)" test "$RC" -ne 0 -a "$RC" -ne 124 -a "$RC" -ne 137
check "finished within its deadline ($SECONDS_TAKEN s <= $DEADLINE + $GRACE s)" within "$DEADLINE"
check "at most 8 files, at most two folders deep, plain names in \$OUT" results_fit "$OUT_FULL"
check "summary.md is in \$OUT" test -f "$OUT_FULL/summary.md"
check "summary.md says the CUDA tests did not run" has "$OUT_FULL/summary.md" 'CUDA tests did not run'
check "summary.md names the visible GPU as the reason to fail" has "$OUT_FULL/summary.md" \
  "FAIL: a GPU is visible \(nvidia-smi: NVIDIA H200\) but the CUDA tests printed 'SKIP: no CUDA device'"
check "the real build ran and passed" has "$OUT_FULL/summary.md" '^\| configure \+ build \(90, [A-Za-z ]+\) \| ok'
check "ctest ran" has "$OUT_FULL/summary.md" '^\| ctest \| passed'
check "ctest.log is in \$OUT" test -f "$OUT_FULL/ctest.log"
check "no build.log in \$OUT after a good build" test ! -e "$OUT_FULL/build.log"
check "the benchmarks failed without a device" has "$OUT_FULL/summary.md" '^\| cllm-bench 1b \| FAILED'
check "the loud banner is on stdout" has "$WORK/full.stdout" 'The CUDA tests DID NOT RUN'
check "the final table is the last thing on stdout" \
  bash -c "tail -n 30 '$WORK/full.stdout' | grep -q '^## GPU check: NVIDIA H200 (cc 9.0, .*) - FAIL' && tail -n 1 '$WORK/full.stdout' | grep -q 'FAIL'"
check "nothing written into the repository's gpu-check-logs/" bash -c "[ $logs_existed = 1 ] || [ ! -e '$REPO/gpu-check-logs' ]"

# 2. A deadline too short for any step.
run_check deadline 2
OUT_SHORT="$WORK/out-deadline"
check "short deadline: exit status is non-zero" test "$RC" -ne 0 -a "$RC" -ne 124 -a "$RC" -ne 137
check "short deadline: finished within it ($SECONDS_TAKEN s <= 2 + $GRACE s)" within 2
check "short deadline: at most 8 files, plain names" results_fit "$OUT_SHORT"
check "short deadline: the skipped step says so" has "$OUT_SHORT/summary.md" 'skipped: [0-9]+ s left before the deadline of 2 s'
check "short deadline: summary.md says the CUDA tests did not run" has "$OUT_SHORT/summary.md" 'CUDA tests did not run'

if ((FAILED)); then
  echo "test-gpu-check: FAILED; summary.md of the first run:"
  head -60 "$OUT_FULL/summary.md" 2>/dev/null
  exit 1
fi
echo "test-gpu-check: all checks passed"
