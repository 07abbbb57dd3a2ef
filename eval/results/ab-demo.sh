#!/usr/bin/env bash
# A/B test of two adapter variants of one skill, offline and online, with one report at the end.
#
#   control  "da64": skills/convai2        (the shipped AdaHIT convai2 adapter, as served)
#   variant  "da16": skills/convai2_da16   (train it first, see below)
#
# 1. Starts the real server (`adahit serve`) with an experiment that splits convai2 conversations
#    50/50 between the two adapters (sticky: a hash of conversation id and experiment name), an
#    SQLite event store and the admin API.
# 2. Simulated users (`adahit ab-simulate`) chat over the WebSocket: each replays the user side of a
#    ConvAI2 valid episode, scores the bot's replies against the gold replies (ParlAI unigram F1),
#    ends the chat with [DONE] and rates it ({"feedback": {"rating", "thumbs"}}).
# 3. Reads the report through the admin API (curl), stops the server (SIGTERM, graceful).
# 4. `adahit ab-report` over the stored events, with the offline `compare` of the same two adapters
#    on ConvAI2 valid attached (hits@1 difference with a 95% paired-bootstrap interval, McNemar).
#
# Train the variant first (a unique --skill name keeps it apart from skills/convai2; do not run
# `pool` into it: a variant answers from its skill's candidates), e.g. with task sub-adapters of
# width 16 on the shipped base:
#   bin/adahit train --mode adahit-task -t convai2 --base skills/adahit_base --ts 16,16 \
#       --skill convai2_da16 --out skills/convai2_da16 ...   # the same steps/data as skills/convai2/REPRODUCE.md
#
# Settings (environment): SKILL, VARIANT_DIR, CONVERSATIONS, TURNS, CLIENTS, OFFLINE_NE, OUT.
# Example, quick: CONVERSATIONS=40 OFFLINE_NE=200 eval/results/ab-demo.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

SKILL="${SKILL:-convai2}"
VARIANT_DIR="${VARIANT_DIR:-convai2_da16}"
CONVERSATIONS="${CONVERSATIONS:-200}"
TURNS="${TURNS:-4}"
CLIENTS="${CLIENTS:-8}"
OFFLINE_NE="${OFFLINE_NE:-2000}"
OUT="${OUT:-eval/results/ab-demo}"
EXPERIMENT="${SKILL//_/-}-ab"
TOKEN="demo-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

if [[ ! -f "skills/$VARIANT_DIR/adapter_config.json" ]]; then
  echo "skills/$VARIANT_DIR/adapter_config.json is missing: train the variant first (see the top of $0)" >&2
  exit 1
fi
if [[ -f "skills/$VARIANT_DIR/candidates.txt" ]]; then
  echo "skills/$VARIANT_DIR has a candidates.txt: it would be served as a skill of its own; remove it" >&2
  exit 1
fi
mkdir -p "$OUT"
rm -f "$OUT"/events.db "$OUT"/events.db-wal "$OUT"/events.db-shm
work="$(mktemp -d)"
cat > "$work/ab-server.yaml" <<EOF
http: {port: 0}
grpc: {enabled: false}
logs: {dir: $OUT/logs}
events: {url: "jdbc:sqlite:$OUT/events.db"}
admin: {tokenFile: $work/token}
experiments:
  - name: $EXPERIMENT
    skill: $SKILL
    variants:
      - {name: da64, weight: 1}                         # the skill's adapter as served (skills/$SKILL)
      - {name: da16, adapter: $VARIANT_DIR, weight: 1}
EOF
printf '%s\n' "$TOKEN" > "$work/token"
chmod 600 "$work/token"

echo "== 1. server with experiment '$EXPERIMENT' (da64 = skills/$SKILL, da16 = skills/$VARIANT_DIR)"
bin/adahit serve --config "$work/ab-server.yaml" 2> "$OUT/serve.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
port=""
for _ in $(seq 1 600); do
  port="$(grep -oE 'AdaHIT server ready: chat page http://[^:]+:[0-9]+' "$OUT/serve.log" | grep -oE '[0-9]+$' || true)"
  [[ -n "$port" ]] && break
  kill -0 "$server" 2>/dev/null || { echo "the server stopped; see $OUT/serve.log" >&2; tail -20 "$OUT/serve.log" >&2; exit 1; }
  sleep 1
done
[[ -n "$port" ]] || { echo "the server did not become ready in 10 minutes; see $OUT/serve.log" >&2; exit 1; }
echo "ready on port $port"
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/admin/adapters" > "$OUT/adapters.json"

echo "== 2. $CONVERSATIONS simulated conversations of $TURNS turns ($CLIENTS at once)"
bin/adahit ab-simulate --url "ws://127.0.0.1:$port/websocket" --skill "$SKILL" -t convai2 \
    --conversations "$CONVERSATIONS" --turns "$TURNS" --clients "$CLIENTS" | tee "$OUT/simulate.txt"

echo "== 3. the report through the admin API"
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/admin/experiments/$EXPERIMENT/report" \
    | tee "$OUT/admin-report.json"
curl -sf "http://127.0.0.1:$port/metrics" | grep '^adahit_ab_' > "$OUT/metrics.txt" || true
kill -TERM "$server"
wait "$server" || true

echo "== 4. ab-report over the event store, with the offline comparison on convai2 valid (-ne $OFFLINE_NE)"
bin/adahit ab-report "$EXPERIMENT" --db "jdbc:sqlite:$OUT/events.db" --skills-dir skills \
    --offline-task convai2 -ne "$OFFLINE_NE" -rf "$OUT/ab-report.json" | tee "$OUT/ab-report.txt"
echo "written: $OUT/{simulate.txt,admin-report.json,metrics.txt,ab-report.txt,ab-report.json,events.db,logs/}"
