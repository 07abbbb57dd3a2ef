#!/usr/bin/env bash
# eval_model --server on the first NE valid examples of task T, against a server without the Rank
# candidate cache (rank.candidateCacheMb 0, or BEFORE_JAR: a build from before the cache) and one
# with it (the default; AFTER_JAR picks a jar), one after the other on one host; prints each run's
# table row (ex/s and wall seconds are its last two columns).
#   BEFORE_JAR=/tmp/head.jar AFTER_JAR=app/target/adahit-cli.jar NE=600 eval/results/server-parity/rank-cache.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
NE="${NE:-600}"; t="${T:-empathetic_dialogues}"; out="$(mktemp -d)"
for label in before after; do
  jar="${BEFORE_JAR:-}"; [[ $label == after ]] && jar="${AFTER_JAR:-}"
  flags=()
  if [[ $label == before && -z "$jar" ]]; then
    printf 'rank:\n  candidateCacheMb: 0\n' >"$out/no-cache.yaml"; flags=(--config "$out/no-cache.yaml")
  fi
  ADAHIT_JAR="${jar:-}" bin/adahit serve --port 18080 --grpc-port 18081 "${flags[@]}" >"$out/serve-$label.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do grep -q "AdaHIT server ready" "$out/serve-$label.log" && break; sleep 1; done
  echo "=== $label"
  ADAHIT_JAR="$jar" bin/adahit eval_model -t "$t" -dt valid -bs 16 -ne "$NE" --server localhost:18081 \
    -rf "$out/$label.json" 2>&1 | grep -E "^$t|total wall"
  kill -TERM $pid; wait $pid || true
done
