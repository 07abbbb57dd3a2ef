#!/usr/bin/env bash
# kill -9 during chat load beside hostile clients: is every acknowledged episode and event on disk
# afterwards, and does every conversation-log line parse?
#
# Each cycle:
#   1. starts the real server (`adahit serve`) on one skill with an A/B experiment (two arms of the
#      skill's own adapter), an SQLite event store and a logs dir, all kept across the cycles;
#   2. runs `adahit bench-client`: N WebSocket conversations running episodes in a loop (turns, a
#      thumbs-up on the first reply, [DONE], a rating), 256 idle sockets and a gRPC client sending
#      10,000-candidate Rank calls; it records every [DONE] answered, every feedback answered
#      "recorded" and every A/B variant a welcome named, the moment the reply arrives;
#   3. kills the server with `kill -9` at a random moment (KILL_AFTER + up to KILL_SPREAD s after
#      the load started); the client stops once /health has not answered for 3 s.
# Then it checks, over all cycles: every acknowledged episode's conversation id is in
# logs/*.jsonl, every acknowledged feedback event id is in ab_feedback, every acknowledged
# assignment is in ab_assignments, and every line of every log file parses as JSON (jq) and ends
# with a newline.
#
# Settings (environment): CYCLES, N, TURNS, THINK_MS, IDLE, RANK_CLIENTS, KILL_AFTER, KILL_SPREAD,
# CACHE, OUT. Example, quick: CYCLES=1 N=50 THINK_MS=2000 KILL_AFTER=30 eval/results/reliability/kill9.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"

CYCLES="${CYCLES:-3}"
N="${N:-1000}"
TURNS="${TURNS:-2}"
THINK_MS="${THINK_MS:-30000}"
IDLE="${IDLE:-256}"
RANK_CLIENTS="${RANK_CLIENTS:-1}"
KILL_AFTER="${KILL_AFTER:-100}"
KILL_SPREAD="${KILL_SPREAD:-40}"
CACHE="${CACHE:-.cache/embeddings}"
OUT="${OUT:-eval/results/reliability/kill9}"
SKILL=blended_skill_talk

mkdir -p "$OUT"
rm -rf "$OUT"/logs "$OUT"/events.db* "$OUT"/acks.jsonl "$OUT"/cycle-*
work="$(mktemp -d)"
mkdir -p "$work/skills"
ln -s "$root/skills/$SKILL" "$work/skills/$SKILL"
ln -s "$root/skills/adahit_base" "$work/skills/adahit_base"   # its base adapter (no candidates: not served)
cat > "$work/server.yaml" <<EOF
http: {port: 0, maxConnections: 1400}
grpc: {port: 0}
skills: {dir: $work/skills, default: $SKILL, cacheDir: $CACHE}
logs: {dir: $OUT/logs}
events: {url: "jdbc:sqlite:$OUT/events.db"}
conversations: {maxOpen: 2048}
batching: {queueCapacity: 2048}
rank: {maxCandidates: 10000, maxCandidateChars: 4000000}
experiments:
  - name: rel-kill9
    skill: $SKILL
    variants:
      - {name: a, weight: 1}
      - {name: b, weight: 1}
EOF
cp "$work/server.yaml" "$OUT/server.yaml"
server=""
client=""
trap '[[ -n "$server" ]] && kill -9 "$server" 2>/dev/null; [[ -n "$client" ]] && kill "$client" 2>/dev/null; rm -rf "$work"' EXIT

for cycle in $(seq 1 "$CYCLES"); do
  d="$OUT/cycle-$cycle"
  mkdir -p "$d"
  echo "== cycle $cycle: server"
  bin/adahit serve --config "$work/server.yaml" 2> "$d/server.txt" &
  server=$!
  ready=""
  for _ in $(seq 1 900); do
    ready="$(grep -oE 'AdaHIT server ready: .*' "$d/server.txt" || true)"
    [[ -n "$ready" ]] && break
    kill -0 "$server" 2>/dev/null || { echo "the server stopped; see $d/server.txt" >&2; tail -20 "$d/server.txt" >&2; exit 1; }
    sleep 1
  done
  [[ -n "$ready" ]] || { echo "the server was not ready in 15 minutes; see $d/server.txt" >&2; exit 1; }
  port="$(grep -oE 'http://[^:]+:[0-9]+' <<< "$ready" | head -1 | grep -oE '[0-9]+$')"
  gport="$(grep -oE 'gRPC [^ ]+:[0-9]+' <<< "$ready" | grep -oE '[0-9]+$')"
  echo "ready: http $port, gRPC $gport"
  kill_at=$((KILL_AFTER + RANDOM % (KILL_SPREAD + 1)))
  cmd=(bin/adahit bench-client --url "ws://127.0.0.1:$port/websocket" --grpc-port "$gport" -n "$N" --turns "$TURNS"
       --think-ms "$THINK_MS" --idle-sockets "$IDLE" --rank-clients "$RANK_CLIENTS" --rank-candidates 10000
       --texts "skills/$SKILL/candidates.txt" --max-seconds $((kill_at + 600)) --acks "$d/acks.jsonl" --json "$d/client.json")
  echo "${cmd[*]}" > "$d/client-command.txt"
  "${cmd[@]}" > "$d/client.txt" 2> "$d/client.err" &
  client=$!
  echo "load started; kill -9 in $kill_at s"
  sleep "$kill_at"
  kill -9 "$server"
  wait "$server" 2>/dev/null || true
  server=""
  echo "killed (kill -9) at $(date -u +%H:%M:%S); waiting for the client to notice"
  wait "$client" || { echo "bench-client failed; see $d/client.err" >&2; exit 1; }
  client=""
  cat "$d/client.txt"
  cat "$d/acks.jsonl" >> "$OUT/acks.jsonl"
done

echo "== checks over $CYCLES cycles"
logs=("$OUT"/logs/*.jsonl)
acked() { jq -r "select(.type == \"$1\") | $2" "$OUT/acks.jsonl" | sort -u; }
missing() { comm -23 <(printf '%s\n' "$1" | sed '/^$/d') <(printf '%s\n' "$2" | sed '/^$/d') | wc -l; }
count() { printf '%s\n' "$1" | sed '/^$/d' | wc -l; }

lines=$(cat "${logs[@]}" | wc -l)
bad=$(cat "${logs[@]}" | jq -R -c 'try (fromjson | "ok") catch "bad"' | grep -vc '^"ok"$' || true)
unterminated=0
for f in "${logs[@]}"; do
  if [[ -s "$f" && "$(tail -c1 "$f" | od -An -c | tr -d ' ')" != '\n' ]]; then
    unterminated=$((unterminated + 1))
  fi
done
ep_acked="$(acked episode .conversation_id)"
ep_logged="$(cat "${logs[@]}" | jq -r '.conversation_id' | sort -u)"
# an acknowledged episode's logged dialog has the turns the client saw answered
turns_acked="$(jq -r 'select(.type == "episode") | "\(.conversation_id) \(.turns)"' "$OUT/acks.jsonl" | sort -u)"
turns_logged="$(cat "${logs[@]}" | jq -r '"\(.conversation_id) \(.dialog | length)"' | sort -u)"
fb_acked="$(acked feedback .feedback_id)"
fb_stored="$(sqlite3 "$OUT/events.db" 'SELECT event_id FROM ab_feedback' | sort -u)"
as_acked="$(acked assignment '"\(.conversation_id) \(.experiment) \(.variant)"')"
as_stored="$(sqlite3 -separator ' ' "$OUT/events.db" 'SELECT conversation_id, experiment, variant FROM ab_assignments' | sort -u)"

summary="$OUT/summary.txt"
{
  echo "kill -9 cycles: $CYCLES (N=$N conversations, $TURNS turns per episode, think $THINK_MS ms, $IDLE idle sockets,"
  echo "  $RANK_CLIENTS Rank client(s) x 10,000 candidates; kill at ${KILL_AFTER}-$((KILL_AFTER + KILL_SPREAD)) s of load)"
  for cycle in $(seq 1 "$CYCLES"); do
    echo "cycle $cycle: $(jq -c '{seconds, turns_answered, acknowledged, stopped_by}' "$OUT/cycle-$cycle/client.json")"
  done
  echo "acknowledged episodes:    $(count "$ep_acked"), missing from logs/*.jsonl: $(missing "$ep_acked" "$ep_logged")"
  echo "  with the acknowledged number of turns in the logged dialog: $(comm -12 <(printf '%s\n' "$turns_acked") <(printf '%s\n' "$turns_logged") | sed '/^$/d' | wc -l)"
  echo "acknowledged feedback:    $(count "$fb_acked"), missing from ab_feedback: $(missing "$fb_acked" "$fb_stored")"
  echo "acknowledged assignments: $(count "$as_acked"), missing from ab_assignments: $(missing "$as_acked" "$as_stored")"
  echo "log files: ${#logs[@]}, lines: $lines, lines that do not parse as JSON: $bad, files not ending in a newline: $unterminated"
  echo "logged episodes: $(count "$ep_logged"), stored feedback: $(count "$fb_stored"), stored assignments: $(count "$as_stored")"
} | tee "$summary"
fail=0
[[ "$(missing "$ep_acked" "$ep_logged")" == 0 && "$(missing "$fb_acked" "$fb_stored")" == 0 ]] || fail=1
[[ "$(missing "$as_acked" "$as_stored")" == 0 && "$bad" == 0 && "$unterminated" == 0 ]] || fail=1
if [[ $fail == 0 ]]; then echo "PASS" | tee -a "$summary"; else echo "FAIL" | tee -a "$summary"; fi
gzip -kf "$OUT/acks.jsonl"   # the acknowledgements, kept (compressed) beside the summary
[[ $fail == 0 ]]
