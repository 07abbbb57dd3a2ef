#!/usr/bin/env bash
# Chat p99 alone vs beside hostile clients, with the server, the chat load and the hostile clients
# in three separate processes (so the load generator's threads do not share the server's JVM, as
# they do in `bench-server --idle-sockets`):
#   1. `adahit serve` on one skill (blended_skill_talk), limits raised for N chats + IDLE sockets;
#   2. phase "alone": `adahit bench-client` runs N WebSocket conversations (episodes of TURNS turns,
#      THINK_MS mean pause) for PHASE_SECONDS s and reports p50/p90/p99/max of the answered turns;
#   3. phase "hostile": a second `bench-client -n 0` holds IDLE idle sockets (half raw TCP, half
#      silent WebSocket upgrades, reopened when closed) and RANK_CLIENTS gRPC clients sending
#      RANK_CANDIDATES-candidate Rank calls, while the same chat load runs again.
# Prints both phases and the p99 ratio; writes alone.json, hostile.json, hostile-clients.json,
# server.txt in OUT. Settings (environment): N, TURNS, THINK_MS, PHASE_SECONDS, IDLE, RANK_CLIENTS,
# RANK_CANDIDATES, CACHE, OUT. Example, quick: N=100 PHASE_SECONDS=60 eval/results/reliability/separate.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"

N="${N:-1000}"
TURNS="${TURNS:-5}"
THINK_MS="${THINK_MS:-60000}"
SECONDS_PER_PHASE="${PHASE_SECONDS:-300}"
IDLE="${IDLE:-256}"
RANK_CLIENTS="${RANK_CLIENTS:-1}"
RANK_CANDIDATES="${RANK_CANDIDATES:-10000}"
CACHE="${CACHE:-.cache/embeddings}"
OUT="${OUT:-eval/results/reliability/separate}"
SKILL=blended_skill_talk

mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.txt "$OUT"/acks-*.jsonl
work="$(mktemp -d)"
mkdir -p "$work/skills"
ln -s "$root/skills/$SKILL" "$work/skills/$SKILL"
ln -s "$root/skills/adahit_base" "$work/skills/adahit_base"
cat > "$work/server.yaml" <<YAML
http: {port: 0, maxConnections: $((N + IDLE + 100))}
grpc: {port: 0}
skills: {dir: $work/skills, default: $SKILL, cacheDir: $CACHE}
conversations: {maxOpen: $((N * 2 + 48))}
batching: {queueCapacity: $((N * 2 + 48))}
rank: {maxCandidates: $RANK_CANDIDATES, maxCandidateChars: 4000000}
YAML
cp "$work/server.yaml" "$OUT/server.yaml"
server=""
hostile=""
trap '[[ -n "$hostile" ]] && kill "$hostile" 2>/dev/null; [[ -n "$server" ]] && kill "$server" 2>/dev/null; wait; rm -rf "$work"' EXIT

bin/adahit serve --config "$work/server.yaml" 2> "$OUT/server.txt" &
server=$!
ready=""
for _ in $(seq 1 900); do
  ready="$(grep -oE 'AdaHIT server ready: .*' "$OUT/server.txt" || true)"
  [[ -n "$ready" ]] && break
  kill -0 "$server" 2>/dev/null || { echo "the server stopped; see $OUT/server.txt" >&2; tail -20 "$OUT/server.txt" >&2; exit 1; }
  sleep 1
done
[[ -n "$ready" ]] || { echo "the server was not ready in 15 minutes; see $OUT/server.txt" >&2; exit 1; }
port="$(grep -oE 'http://[^:]+:[0-9]+' <<< "$ready" | head -1 | grep -oE '[0-9]+$')"
gport="$(grep -oE 'gRPC [^ ]+:[0-9]+' <<< "$ready" | grep -oE '[0-9]+$')"
url="ws://127.0.0.1:$port/websocket"
echo "server ready: http $port, gRPC $gport ($(nproc) cores)"

chat() { # phase name
  bin/adahit bench-client --url "$url" -n "$N" --turns "$TURNS" --think-ms "$THINK_MS" \
    --max-seconds "$SECONDS_PER_PHASE" --acks "$OUT/acks-$1.jsonl" --json "$OUT/$1.json" \
    2> "$OUT/client-$1.txt"
}

echo "== alone: $N conversations, $TURNS turns, think $THINK_MS ms, $SECONDS_PER_PHASE s"
chat alone
echo "== hostile: the same beside $IDLE idle sockets and $RANK_CLIENTS Rank client(s) x $RANK_CANDIDATES candidates (another process)"
bin/adahit bench-client --url "$url" --grpc-port "$gport" -n 0 --idle-sockets "$IDLE" \
  --rank-clients "$RANK_CLIENTS" --rank-candidates "$RANK_CANDIDATES" \
  --max-seconds $((SECONDS_PER_PHASE + 20)) --acks /dev/null --json "$OUT/hostile-clients.json" \
  > "$OUT/hostile-clients.txt" 2>&1 &
hostile=$!
sleep 10 # the idle sockets open, the first Rank call starts
chat hostile
# the hostile clients stop by themselves ~10 s after the chat phase, then write their counts
wait "$hostile" || echo "the hostile clients exited with status $?; see $OUT/hostile-clients.txt" >&2
hostile=""

jq -r --slurpfile a "$OUT/alone.json" --slurpfile h "$OUT/hostile.json" -n '
  def row(n; r): "\(n)\t\(r.turns_answered)\t\(r.latency_ms.p50)\t\(r.latency_ms.p90)\t\(r.latency_ms.p99)\t\(r.latency_ms.max)\t\(r.other_outcomes)";
  "phase\tturns\tp50 ms\tp90 ms\tp99 ms\tmax ms\tother outcomes",
  row("alone"; $a[0]), row("hostile"; $h[0]),
  "p99 ratio: \(($h[0].latency_ms.p99 / $a[0].latency_ms.p99) * 100 | round / 100) (goal <= 2)"' \
  | tee "$OUT/summary.txt"
if [[ -s "$OUT/hostile-clients.json" ]]; then
  echo "hostile clients: $(jq -c '.hostile_clients' "$OUT/hostile-clients.json")" | tee -a "$OUT/summary.txt"
fi
