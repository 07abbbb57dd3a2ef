#!/usr/bin/env bash
# Before/after figures of the CPU tuning library (issue 23), side by side on one host in one run:
# "before" is the jar built from commit 5887f59 run as bin/adahit ran it then (no preload),
# "after" is this tree's jar through bin/adahit. Each benchmark alternates before/after.
#   BEFORE_JAR=/path/to/adahit-cli-5887f59.jar eval/results/cpu-tuning/run.sh [OUT_DIR]
# (build BEFORE_JAR with: git worktree add /tmp/w 5887f59 && (cd /tmp/w && mvn -B -q -DskipTests package -pl eval -am); at 5887f59 the jar is eval/target/adahit-cli.jar, today app/target/adahit-cli.jar)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
out="${1:-$root/eval/results/cpu-tuning}"
: "${BEFORE_JAR:?set BEFORE_JAR to a jar built from 5887f59}"
mkdir -p "$out"
# a figure already in OUT is kept (resumable): delete its file to measure it again
have() { [[ -s "$1" ]] && grep -qE 'ratio|median|turns/s|hits@1|done' "$1"; }
before() { ADAHIT_JAR="$BEFORE_JAR" ADAHIT_CPU_TUNING=0 "$root/bin/adahit" "$@"; }
after() { "$root/bin/adahit" "$@"; }
cd "$root"
lscpu | grep -E 'Model name|Vendor|^CPU\(s\)' > "$out/host.txt"
for side in before after; do
  have "$out/bench-encoder-$side.txt" || $side bench-encoder --runs 9 > "$out/bench-encoder-$side.txt" 2>&1
done
# the flag naming the context length: 5887f59's jar knows only its old name (hidden alias since)
length_flag() { if [[ "$1" == before ]]; then echo "--context-length"; else echo "--text-truncate"; fi; }   # 5887f59
for cfg in "128 2" "256 2" "128 6" "256 6"; do
  set -- $cfg
  for side in before after; do
    have "$out/bench-train-$1-top$2-$side.txt" && continue
    $side bench-train -t convai2 "$(length_flag "$side")" "$1" --top-layers "$2" --runs 3 --steps 8 \
      > "$out/bench-train-$1-top$2-$side.txt" 2>&1
  done
done
tasks=convai2,wizard_of_wikipedia,empathetic_dialogues,blended_skill_talk
for side in before after; do
  have "$out/eval-cold-$side.txt" && continue
  cache="$(mktemp -d)"
  $side eval_model -t "$tasks" -dt valid -ne 1000 --cache-dir "$cache" \
    -rf "$out/eval-cold-$side.json" > "$out/eval-cold-$side.txt" 2>&1
  rm -rf "$cache"
done
for side in before after; do
  have "$out/bench-server-b2b-$side.txt" && continue
  $side bench-server --conversations 64 --turns 5 --think-ms 0 \
    --json "$out/bench-server-b2b-$side.json" > "$out/bench-server-b2b-$side.txt" 2>&1
done
$side bench-server --conversations 64 --turns 5 --think-ms 10000 \
  --json "$out/bench-server-think10s-after.json" > "$out/bench-server-think10s-after.txt" 2>&1
echo "done: $out"
