#!/usr/bin/env bash
# A/B test of two adapter variants of one skill, offline and online, with one report at the end.
#
#   control  "da64": skills/convai2_da64   Houlsby adapters (Ada), bottleneck 64, top 2 layers
#   variant  "da16": skills/convai2_da16   the same with bottleneck 16 (4x fewer parameters)
# Both answer from skills/convai2's candidate pool. Train them first:
#   eval/results/train-seed000.sh ab
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
# (Do not run `pool` into a variant directory: a variant answers from its skill's candidates, and a
# directory with a candidates.txt would be served as a skill of its own.) Any two adapter
# directories of one skill under skills/ work: set CONTROL_DIR and VARIANT_DIR (CONTROL_DIR empty:
# the skill's adapter as served).
#
# Settings (environment): SKILL, CONTROL_DIR, VARIANT_DIR, CONVERSATIONS, TURNS, CLIENTS, OFFLINE_NE, OUT.
# Example, quick: CONVERSATIONS=40 OFFLINE_NE=200 eval/results/ab-demo.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

SKILL="${SKILL:-convai2}"
CONTROL_DIR="${CONTROL_DIR-convai2_da64}"
VARIANT_DIR="${VARIANT_DIR:-convai2_da16}"
CONVERSATIONS="${CONVERSATIONS:-200}"
TURNS="${TURNS:-4}"
CLIENTS="${CLIENTS:-8}"
OFFLINE_NE="${OFFLINE_NE:-2000}"
OUT="${OUT:-eval/results/ab-demo}"
EXPERIMENT="${SKILL//_/-}-ab"
TOKEN="demo-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

for d in $CONTROL_DIR $VARIANT_DIR; do
  if [[ ! -f "skills/$d/adapter_config.json" ]]; then
    echo "skills/$d/adapter_config.json is missing: train the variants first (see the top of $0)" >&2
    exit 1
  fi
  if [[ -f "skills/$d/candidates.txt" ]]; then
    echo "skills/$d has a candidates.txt: it would be served as a skill of its own; remove it" >&2
    exit 1
  fi
done
control_adapter=""
[[ -n "$CONTROL_DIR" ]] && control_adapter=", adapter: $CONTROL_DIR"
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
      - {name: da64, weight: 1$control_adapter}
      - {name: da16, adapter: $VARIANT_DIR, weight: 1}
EOF
printf '%s\n' "$TOKEN" > "$work/token"
chmod 600 "$work/token"

echo "== 1. server with experiment '$EXPERIMENT' (da64 = skills/${CONTROL_DIR:-$SKILL}, da16 = skills/$VARIANT_DIR)"
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
