#!/usr/bin/env bash
# Rebuilds the embedded default models (cllm-models/src/main/resources/dev/cllm/models/): the teacher, pre-trained on
# generated grade-school math, and the CLLM, consistency-fine-tuned on the teacher's Jacobi trajectories.
# Every stage is skipped when its output exists, so an interrupted run continues where it stopped.
# Usage: ci/make-default-models.sh [WORK_DIR]   (default: target/default-models)
# Takes about 2.5 hours on an idle 2-core machine (pretraining ~40 min, trajectories ~40 min, fine-tuning ~45 min).
# Settings are recorded in the models' manifest.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$root/target/default-models}"
mkdir -p "$work"
cd "$work"

# The recipe's settings (change them here; the manifest records them).
TRAIN_PROBLEMS=100000; TEST_PROBLEMS=1000; DATA_SEED=1; TEST_SEED=2; VOCAB=1024
DIM=256; LAYERS=4; HEADS=8; KV_HEADS=4; HIDDEN=688; MAX_SEQ_LEN=512
PRETRAIN_STEPS=1800; PRETRAIN_BATCH=16; PRETRAIN_SEQ=256; PRETRAIN_LR=2e-3; SEED=42
# The shipped CLLM trained on the first 200,000 trajectory records: every record of the first 35,976 prompts and
# the first block of the next one (a longer collection was stopped there).
TRAJ_PROMPTS=${TRAJ_PROMPTS:-35977}; TRAJ_RECORDS=${TRAJ_RECORDS:-200000}; BLOCK=16; TRAJ_TOKENS=256
CLLM_STEPS=${CLLM_STEPS:-2400}; CLLM_BATCH=16; CLLM_LR=${CLLM_LR:-5e-4}; AR_WEIGHT=${AR_WEIGHT:-10}; CLLM_THREADS=2

# Run the CLI from a copy of the jar, so rebuilding the project meanwhile cannot break a long run.
if [[ ! -f bin/cllm.jar ]]; then
  (cd "$root" && mvn -B -q package -DskipTests -Dcllm.skipNativeTests -pl cllm-cli -am)
  mkdir -p bin && cp -r "$root/cllm-cli/target/cllm.jar" "$root/cllm-cli/target/lib" bin/
fi
cllm() { java -jar "$work/bin/cllm.jar" "$@"; }
stage() { echo "== $(date +%T) $*" >&2; }

stage "data"
[[ -f train.txt ]] || cllm data math --split train --count $TRAIN_PROBLEMS --seed $DATA_SEED --format text --out train.txt
[[ -f train-prompts.jsonl ]] || cllm data math --split train --count $TRAIN_PROBLEMS --seed $DATA_SEED --format prompts --out train-prompts.jsonl
[[ -f test-prompts.jsonl ]] || cllm data math --split test --count $TEST_PROBLEMS --seed $TEST_SEED --format prompts --out test-prompts.jsonl

stage "tokenizer"
[[ -f tokenizer.json ]] || cllm tokenizer train --input train.txt --vocab $VOCAB --out tokenizer.json

stage "pretrain the teacher"
[[ -f teacher/model.safetensors ]] || cllm pretrain --tokenizer tokenizer.json --corpus train.txt --out teacher \
  --dim $DIM --layers $LAYERS --heads $HEADS --kv-heads $KV_HEADS --hidden $HIDDEN --max-seq-len $MAX_SEQ_LEN \
  --seq-len $PRETRAIN_SEQ --steps $PRETRAIN_STEPS --batch $PRETRAIN_BATCH --lr $PRETRAIN_LR --warmup 0.03 \
  --checkpoint-every 300 --seed $SEED --resume

stage "trajectories"
[[ -f trajectories.jsonl.gz.manifest.json ]] || cllm trajectories --model teacher --prompts train-prompts.jsonl \
  --limit $TRAJ_PROMPTS --block $BLOCK --max-new-tokens $TRAJ_TOKENS --seed $SEED --device cpu --out trajectories.jsonl.gz

if [[ ! -f training-records.jsonl.gz ]]; then
  # head stops reading early, so gzip -dc ends on SIGPIPE: not an error here; the count is checked instead.
  (set +o pipefail; gzip -dc trajectories.jsonl.gz | head -n "$TRAJ_RECORDS" | gzip -1 > training-records.tmp.gz)
  got=$(gzip -dc training-records.tmp.gz | wc -l)
  [[ "$got" -eq "$TRAJ_RECORDS" ]] || { echo "expected $TRAJ_RECORDS trajectory records, got $got" >&2; exit 1; }
  mv training-records.tmp.gz training-records.jsonl.gz
fi

stage "consistency fine-tuning"
[[ -f cllm/model.safetensors ]] || cllm train --model teacher --data training-records.jsonl.gz --out cllm \
  --steps $CLLM_STEPS --batch $CLLM_BATCH --lr $CLLM_LR --ar-weight $AR_WEIGHT --warmup 0.03 \
  --checkpoint-every 200 --seed $SEED --threads $CLLM_THREADS --resume

stage "install into cllm-models/src/main/resources/dev/cllm/models"
dest="$root/cllm-models/src/main/resources/dev/cllm/models"
for m in teacher cllm; do
  mkdir -p "$dest/gsm-$m"
  cp "$m/config.json" "$m/model.safetensors" "$m/tokenizer.json" "$dest/gsm-$m/"
done
cat > "$dest/manifest.json" <<JSON
{
  "recipe": "ci/make-default-models.sh",
  "data": {"generator": "dev.cllm.data.MathGenerator", "train_problems": $TRAIN_PROBLEMS, "train_seed": $DATA_SEED,
           "test_problems": $TEST_PROBLEMS, "test_seed": $TEST_SEED, "tokenizer_vocab": $VOCAB},
  "teacher": {"dim": $DIM, "layers": $LAYERS, "heads": $HEADS, "kv_heads": $KV_HEADS, "hidden": $HIDDEN,
              "max_seq_len": $MAX_SEQ_LEN, "steps": $PRETRAIN_STEPS, "batch": $PRETRAIN_BATCH, "seq_len": $PRETRAIN_SEQ,
              "lr": $PRETRAIN_LR, "seed": $SEED, "dtype": "bf16"},
  "trajectories": {"prompts": $TRAJ_PROMPTS, "records_trained_on": $TRAJ_RECORDS, "block": $BLOCK,
                   "max_new_tokens": $TRAJ_TOKENS, "seed": $SEED},
  "cllm": {"steps": $CLLM_STEPS, "batch": $CLLM_BATCH, "lr": $CLLM_LR, "ar_weight": $AR_WEIGHT, "loss": "kl",
           "consistency": "global", "dtype": "bf16"}
}
JSON
stage "done: $(du -sh "$dest" | cut -f1) in $dest"
