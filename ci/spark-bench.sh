#!/usr/bin/env bash
# Benchmark: trajectory records/s of the Spark job in local mode with 1 and 2 cores against `cllm trajectories`,
# on the same prompts with the same options, in one run, with the machine's load before and after.
# Usage: [REPEATS=2] ci/spark-bench.sh [PROMPTS] [WORK_DIR]   (defaults: 200 test prompts of the generated math,
# target/spark-bench). Rates: cllm trajectories from its first prompt to its last record (model loaded, prompts
# tokenized); Spark from reading the prompts to the committed output (JVM and SparkContext started).
# The teacher is the embedded one (3.2M parameters); block 16, 256 new tokens, as its trajectories were made.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${1:-200}"
work="${2:-$root/target/spark-bench}"
teacher="$root/cllm-models/src/main/resources/dev/cllm/models/gsm-teacher"
job_jar="$root/cllm-spark/target/cllm-spark-job.jar"
options=(--block 16 --max-new-tokens 256 --seed 42 --device cpu)
# What Spark 4 needs on Java 17 when it is started without spark-submit (spark-submit adds these itself).
spark_java=(-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false
  -Dio.netty.tryReflectionSetAccessible=true)

if [[ ! -f "$job_jar" || ! -f "$root/cllm-cli/target/cllm.jar" ]]; then
  (cd "$root" && mvn -B -q package -DskipTests -Dcllm.skipNativeTests -pl cllm-spark -am)
fi
mkdir -p "$work"
cllm() { java -jar "$root/cllm-cli/target/cllm.jar" "$@"; }
rate() { grep -o "\"$2\": [0-9.Ee+-]*" "$1" | head -1 | sed 's/.*: //'; }

prompts="$work/prompts.jsonl"
[[ -f "$prompts" ]] || cllm data math --split test --count "$count" --seed 2 --format prompts --out "$prompts"

# Each configuration runs $repeats times, interleaved with the others, and its best rate is reported: on a
# machine shared with other jobs the rates move with the load, which is printed before and after.
repeats="${REPEATS:-2}"
single() {  # threads
  rm -f "$work/single.jsonl.gz" "$work/single.jsonl.gz.manifest.json"
  CLLM_NUM_THREADS="$1" cllm trajectories --model "$teacher" --prompts "$prompts" --out "$work/single.jsonl.gz" \
    "${options[@]}" 2>/dev/null
  cp "$work/single.jsonl.gz.manifest.json" "$work/single-$1.manifest.json"
}
spark() {  # cores
  java "${spark_java[@]}" -cp "$job_jar:$(cat "$root/cllm-spark/target/spark-classpath.txt")" \
    -Dlog4j2.configurationFile="$root/cllm-spark/src/test/resources/log4j2-test.properties" \
    dev.cllm.spark.SparkTrajectoriesCommand --master "local[$1]" --model "$teacher" --prompts "$prompts" \
    --jsonl "$work/spark-$1" --overwrite "${options[@]}"
}
declare -A best=()
keep() {  # name manifest: keeps the manifest of the configuration's fastest run
  local r; r="$(rate "$2" records_per_second)"
  if [[ -z "${best[$1]:-}" ]] || awk "BEGIN{exit !($r > ${best[$1]})}"; then best[$1]="$r"; cp "$2" "$work/best-$1.json"; fi
}
row() {  # label cores name
  local m="$work/best-$3.json" tasks=""
  [[ -n "$(rate "$m" task_seconds)" ]] && tasks="$(awk "BEGIN{printf \"%.0f\", $(rate "$m" teacher_tokens) / $(rate "$m" task_seconds)}")"
  printf '| %s | %s | %s | %.1f | %.1f | %.0f | %s |\n' "$1" "$2" "$(rate "$m" records_written)" "$(rate "$m" seconds)" \
    "$(rate "$m" records_per_second)" "$(awk "BEGIN{print $(rate "$m" teacher_tokens) / $(rate "$m" seconds)}")" "$tasks"
}

echo "load before: $(uptime)"
for ((i = 0; i < repeats; i++)); do
  single 1; keep single1 "$work/single-1.manifest.json"
  single 2; keep single2 "$work/single-2.manifest.json"
  spark 1; keep spark1 "$work/spark-1.manifest.json"
  spark 2; keep spark2 "$work/spark-2.manifest.json"
done
echo "load after: $(uptime)"

echo "| run | cores | records | seconds | records/s | teacher tokens/s | teacher tokens/s per task |"
echo "|---|---:|---:|---:|---:|---:|---:|"
row "cllm trajectories" "1 thread" single1
row "cllm trajectories" "2 threads" single2
row "Spark local[1]" 1 spark1
row "Spark local[2]" 2 spark2
echo "(the fastest of $repeats runs each)"
