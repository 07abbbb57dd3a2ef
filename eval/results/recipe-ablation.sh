#!/usr/bin/env bash
# Issue 18: the training recipe, chosen by measurement. Each row trains one Ada skill (Houlsby
# adapters, da 64, no base: nothing else shapes the result) on convai2's training files and
# evaluates it on the full convai2 valid split (7,801 examples, K = 20) at its own training length.
# Rows differ from the reference row 'ref' in one setting each (bge-top4: backbone and layers). Reduced scale, said plainly: 12,000
# training pairs, 750 steps of 32 (2 epochs of the subset) unless the row says otherwise.
# Resumable: a finished row is skipped; a killed run resumes from its checkpoint.
#   eval/results/recipe-ablation.sh [ROW ...]       # default: every row, in priority order
#   eval/results/recipe-ablation.sh table          # only print the table
# Logs: .cache/runs/recipe/<row>/train.log and eval.log; reports: eval/results/recipe/<row>.json
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export JAVA_OPTS="${JAVA_OPTS:--Xmx14g}"
out=eval/results/recipe
runs=.cache/runs/recipe
mkdir -p "$out" "$runs"

# row -> "context_length top_layers batch steps max_pairs lr length_buckets backbone"
declare -A rows=(
  [ref]="256 2 32 750 12000 2e-3 0 all-minilm-l6-v2"
  [top4]="256 4 32 750 12000 2e-3 0 all-minilm-l6-v2"
  [top6]="256 6 32 750 12000 2e-3 0 all-minilm-l6-v2"
  [ctx128]="128 2 32 750 12000 2e-3 0 all-minilm-l6-v2"
  [ctx360]="360 2 32 750 12000 2e-3 0 all-minilm-l6-v2"
  [bs64]="256 2 64 375 12000 2e-3 0 all-minilm-l6-v2"
  [steps1500]="256 2 32 1500 12000 2e-3 0 all-minilm-l6-v2"
  [lr1e-3]="256 2 32 750 12000 1e-3 0 all-minilm-l6-v2"
  [buckets]="256 2 32 750 12000 2e-3 16 all-minilm-l6-v2"
  [bge]="256 2 32 750 12000 2e-3 0 bge-small-en-v1.5"
  [bge-top4]="256 4 32 750 12000 2e-3 0 bge-small-en-v1.5"
)
order=(ref buckets top4 bge top6 bge-top4 bs64 ctx360 steps1500 ctx128 lr1e-3)

run_row() {
  local row="$1"; read -r ctx top bs steps pairs lr buckets backbone <<<"${rows[$row]}"
  local dir="$runs/$row" rf="$out/$row.json"
  mkdir -p "$dir"
  if [[ ! -f "$dir/adapter/adapter_config.json" ]]; then
    echo "=== train $row: ctx $ctx, top $top layers, batch $bs, $steps steps, $pairs pairs, lr $lr, length buckets $buckets, backbone $backbone"
    local t0=$SECONDS
    /usr/bin/time -a -o "$dir/train-cpu-seconds" -f "%U %S" bin/adahit train --backbone "$backbone" --mode ada -t convai2 --out "$dir/adapter" --seed 0 -bs "$bs" --lr "$lr" \
      --warmup 0.1 --text-truncate "$ctx" --label-truncate 64 --max-train-pairs "$pairs" \
      --valid-pairs 500 --valid-candidates 20 --steps "$steps" --top-layers "$top" --bottleneck 64 \
      --checkpoint-every 50 --checkpoint-dir "$dir/ckpt" --length-buckets "$buckets" >>"$dir/train.log" 2>&1
    echo "$((SECONDS - t0))" >>"$dir/train-seconds"
  fi
  if [[ ! -f "$rf" ]]; then
    echo "=== eval $row at $ctx word pieces"
    local t0=$SECONDS
    /usr/bin/time -o "$dir/eval-cpu-seconds" -f "%U %S" bin/adahit eval_model --backbone "$backbone" -t convai2 -dt valid -bs 64 --adapter "$dir/adapter" --text-truncate "$ctx" \
      --cache-dir "$runs/embeddings" -rf "$rf" >>"$dir/eval.log" 2>&1
    echo "$((SECONDS - t0))" >"$dir/eval-seconds"
  fi
}

if [[ "${1:-}" != table ]]; then
  for row in "${@:-${order[@]}}"; do run_row "$row"; done
fi

{
  echo "## Recipe ablation (Ada, convai2 valid, 7,801 examples, K = 20, each at its training length)"
  echo
  echo "| row | context | top layers | batch | steps | pairs | lr | length buckets | backbone | hits@1 | MRR | train CPU-min | eval CPU-min |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for row in "${order[@]}"; do
    read -r ctx top bs steps pairs lr buckets backbone <<<"${rows[$row]}"
    rf="$out/$row.json"; h="—"; m="—"; ts="—"; es="—"
    if [[ -f "$rf" ]]; then
      h=$(jq -r '.report["hits@1"] * 1000 | round / 1000' "$rf"); m=$(jq -r '.report.mrr * 1000 | round / 1000' "$rf")
    fi
    # CPU-minutes: user + system CPU time of the JVM (/usr/bin/time); rows run before it was
    # recorded show wall seconds x 2 cores / 60, marked '~' (an overestimate when other jobs ran)
    if [[ -f "$runs/$row/train-cpu-seconds" ]]; then
      ts=$(awk 'NF == 2 && $1 ~ /^[0-9.]+$/ {s+=$1+$2} END {printf "%.0f", s/60}' "$runs/$row/train-cpu-seconds")
    elif [[ -f "$runs/$row/train-seconds" ]]; then
      ts="~$(awk '{s+=$1} END {printf "%.0f", s*2/60}' "$runs/$row/train-seconds")"
    fi
    if [[ -f "$runs/$row/eval-cpu-seconds" ]]; then
      es=$(awk 'NF == 2 && $1 ~ /^[0-9.]+$/ {s+=$1+$2} END {printf "%.0f", s/60}' "$runs/$row/eval-cpu-seconds")
    elif [[ -f "$runs/$row/eval-seconds" ]]; then
      es="~$(awk '{printf "%.0f", $1*2/60}' "$runs/$row/eval-seconds")"
    fi
    echo "| $row | $ctx | $top | $bs | $steps | $pairs | $lr | $buckets | $backbone | $h | $m | $ts | $es |"
  done
} > "$out/README.md"
cat "$out/README.md"
