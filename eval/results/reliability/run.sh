#!/usr/bin/env bash
# Chat p99 with and without hostile clients, side by side in one run (issue 19's acceptance):
# 1,000 concurrent WebSocket conversations on one skill (THINK_MS mean pause, TURNS turns each;
# run on 2026-12-05 with the defaults, CACHE=/tmp/rel19-cache),
# first alone, then beside 256 idle sockets (half raw TCP sending nothing, half WebSocket
# handshakes that never send a message, each reopened when closed) and a gRPC client sending
# 10,000-candidate Rank calls in a loop (5 s deadline each). /health is polled every second in
# both phases. The limits are raised by config: conversations.maxOpen=2048 (one transport may hold
# transportShare 0.75 of it: 1,536 WebSocket conversations) and http.maxConnections=1400
# (1,000 chats + 256 idle sockets + room for /health).
# Writes bench-hostile.txt (the report), bench-hostile.stderr.txt (progress) and bench-hostile.json here.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
THINK_MS="${THINK_MS:-60000}"
TURNS="${TURNS:-5}"
CACHE="${CACHE:-.cache/embeddings}"
OUT=eval/results/reliability
bin/adahit bench-server -n 1000 --turns "$TURNS" --think-ms "$THINK_MS" --max-seconds 900 \
    --idle-sockets 256 --rank-clients 1 --rank-candidates 10000 \
    --set conversations.maxOpen=2048 --set http.maxConnections=1400 \
    --cache-dir "$CACHE" --json "$OUT/bench-hostile.json" 2> "$OUT/bench-hostile.stderr.txt" | tee "$OUT/bench-hostile.txt"
