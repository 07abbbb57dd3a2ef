#!/usr/bin/env bash
# eval_model against a live server equals eval_model in process (issue 18): starts `bin/adahit serve`
# exactly as the README's first command does (./skills, the default config, so the default skill),
# evaluates the first $NE examples of each task's valid split (default 500) through the server's
# gRPC Rank with no --skill (the server's default skill answers; 16 Rank calls in flight, half the
# server's default rank.queueCapacity), then the same examples in process with the same skill
# (--skill auto, ./skills), and compares hits@1, MRR and where the router sent each example.
# Writes $OUT/server-<task>.json, $OUT/inproc-<task>.json and $OUT/parity.md.
#
#   eval/results/server-parity.sh                  # all four tasks
#   NE=100 eval/results/server-parity.sh convai2   # a quick check
#
# Not the full splits, to keep it short: through the server each example is one Rank call, and its
# candidates are encoded once they are new to the server's candidate cache (rank.candidateCacheMb),
# while the in-process run also reads the embeddings it cached on disk.
set -euo pipefail
{ # one block, read before it runs
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
OUT="${OUT:-eval/results/server-parity}"
NE="${NE:-500}"
tasks=("${@:-convai2 wizard_of_wikipedia empathetic_dialogues blended_skill_talk}")
mkdir -p "$OUT"
log="$OUT/serve.log"

bin/adahit serve >"$log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
ready=""
for _ in $(seq 1 600); do
  ready="$(grep -oE 'AdaHIT server ready: .*' "$log" || true)"
  [[ -n "$ready" ]] && break
  kill -0 $server 2>/dev/null || { echo "serve exited; see $log" >&2; exit 1; }
  sleep 1
done
[[ -n "$ready" ]] || { echo "serve not ready after 600 s; see $log" >&2; exit 1; }
grpc="$(grep -oE 'gRPC [^ ]+:[0-9]+' <<< "$ready" | cut -d' ' -f2)"   # the address it bound

for t in ${tasks[*]}; do
  echo "=== $(date -u +%FT%TZ) $t via $grpc"
  [[ -f "$OUT/server-$t.json" ]] ||
    bin/adahit eval_model -t "$t" -dt valid -bs 16 -ne "$NE" --server "$grpc" -rf "$OUT/server-$t.json"
done
kill -TERM $server; wait $server 2>/dev/null || true
for t in ${tasks[*]}; do
  echo "=== $(date -u +%FT%TZ) $t in process"
  [[ -f "$OUT/inproc-$t.json" ]] ||
    bin/adahit eval_model -t "$t" -dt valid -bs 16 -ne "$NE" --skill auto -rf "$OUT/inproc-$t.json"
done

get() { jq -r --arg t "$2" --arg m "$3" '(.report[$t + "/" + $m] // .report[$m]) | tostring' "$1"; }
{
  echo "## eval_model --server (the default skill) vs in process (--skill auto), first $NE valid examples"
  echo
  echo "| task | skill (server) | examples | hits@1 server | hits@1 in process | MRR server | MRR in process | routed by the server (skills with examples) | equal (hits@1, MRR, routed) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for t in ${tasks[*]}; do
    s="$OUT/server-$t.json" i="$OUT/inproc-$t.json"
    hs=$(get "$s" "$t" hits@1) hi=$(get "$i" "$t" hits@1) ms=$(get "$s" "$t" mrr) mi=$(get "$i" "$t" mrr)
    nz='.report.routed | with_entries(select(.value > 0))'
    rs=$(jq -S -c "$nz" "$s") ri=$(jq -S -c "$nz" "$i")
    eq=no
    [[ "$hs" == "$hi" && "$ms" == "$mi" && "$rs" == "$ri" ]] && eq=yes
    echo "| $t | $(jq -r '.opt.skill' "$s") | $(get "$s" "$t" exs) | $hs | $hi | $ms | $mi | $rs | $eq |"
  done
} >"$OUT/parity.md"
cat "$OUT/parity.md"
exit
}
