#!/usr/bin/env bash
# Benchmark: trajectory records/s of the Spark job in local mode with 1 and 2 cores against `cllm trajectories`,
# on the same prompts with the same options, in one run, with the machine's load before and after.
# Usage: ci/spark-bench.sh [PROMPTS] [WORK_DIR]   (defaults: 200 test prompts of the generated math, target/spark-bench)
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

echo "load before: $(uptime)"
rm -f "$work/single.jsonl.gz" "$work/single.jsonl.gz.manifest.json"
CLLM_NUM_THREADS=1 cllm trajectories --model "$teacher" --prompts "$prompts" --out "$work/single.jsonl.gz" "${options[@]}"
single1="$(rate "$work/single.jsonl.gz.manifest.json" records_per_second)"
records="$(rate "$work/single.jsonl.gz.manifest.json" records_written)"
rm -f "$work/single.jsonl.gz" "$work/single.jsonl.gz.manifest.json"
CLLM_NUM_THREADS=2 cllm trajectories --model "$teacher" --prompts "$prompts" --out "$work/single.jsonl.gz" "${options[@]}"
single2="$(rate "$work/single.jsonl.gz.manifest.json" records_per_second)"

for cores in 1 2; do
  java "${spark_java[@]}" -cp "$job_jar:$(cat "$root/cllm-spark/target/spark-classpath.txt")" \
    -Dlog4j2.configurationFile="$root/cllm-spark/src/test/resources/log4j2-test.properties" \
    dev.cllm.spark.SparkTrajectoriesCommand --master "local[$cores]" --model "$teacher" --prompts "$prompts" \
    --jsonl "$work/spark-$cores" --overwrite "${options[@]}"
done
spark1="$(rate "$work/spark-1.manifest.json" records_per_second)"
spark2="$(rate "$work/spark-2.manifest.json" records_per_second)"
echo "load after: $(uptime)"

cat <<TABLE
| run | cores | records | records/s |
|---|---:|---:|---:|
| cllm trajectories | 1 thread | $records | $single1 |
| cllm trajectories | 2 threads | $records | $single2 |
| Spark local[1] | 1 | $(rate "$work/spark-1.manifest.json" records_written) | $spark1 |
| Spark local[2] | 2 | $(rate "$work/spark-2.manifest.json" records_written) | $spark2 |
TABLE
