#!/usr/bin/env bash
# Memory per loaded skill with candidate pools stored as fp32 (the default) and as int8
# (skills.poolPrecision): bench-server with 10 and 30 loaded skills each, resident memory once all
# are loaded (after a full GC and a native-heap trim); the slope from 10 to 30 is a skill's cost.
# The skills are blended_skill_talk and synthetic copies of its shape (bench-server --mixed-skills),
# each with its own 5,000-candidate pool; the runs are short (5 turns) since only the loaded memory
# is compared here.
# With --throughput it compares throughput instead, on a quiet machine: 10 loaded skills, 64
# back-to-back conversations x 20 turns on one skill and spread over all, fp32 and int8 alternating
# twice (out-dir/quiet/<precision>-<round>.txt), then each run's turns/s (out-dir/quiet/summary.txt).
#
#   eval/results/cpu-tuning/pool-int8.sh [out-dir] [--throughput]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
out="${1:-$root/eval/results/cpu-tuning/pool-int8}"
mode="${2:-memory}"
mkdir -p "$out"
cd "$root"
source eval/results/cpu-tuning/bench-skills-env.sh   # JAVA_OPTS, $cache, $one
if [[ "$mode" == --throughput ]]; then
  mkdir -p "$out/quiet"
  for round in 1 2; do
    for p in fp32 int8; do
      f="$out/quiet/$p-$round.txt"
      [[ -s "$f" ]] && grep -q '^mixed / single' "$f" && continue
      bin/adahit bench-server --conversations 64 --turns 20 --think-ms 0 --mixed-skills 10 \
        --skills-dir "$one" --cache-dir "$cache" --set skills.poolPrecision="$p" \
        --json "$out/quiet/$p-$round.json" > "$f" 2>&1
    done
  done
  for f in "$out"/quiet/*-[12].txt; do
    printf '%s: %s\n' "$(basename "$f" .txt)" "$(grep -E '^(single|mixed) \(' "$f" | awk '{print $1, $(NF-4) " turns/s"}' | paste -sd, -)"
  done | tee "$out/quiet/summary.txt"
  exit 0
fi
for p in fp32 int8; do
  for n in 10 30; do
    f="$out/$p-$n.txt"
    [[ -s "$f" ]] && grep -q '^loaded' "$f" && continue
    bin/adahit bench-server --conversations 16 --turns 5 --think-ms 0 --mixed-skills "$n" \
      --skills-dir "$one" --cache-dir "$cache" --set skills.poolPrecision="$p" \
      --json "$out/$p-$n.json" > "$f" 2>&1
  done
done
for p in fp32 int8; do
  python3 - "$out" "$p" <<'PY'
import json, sys
out, p = sys.argv[1], sys.argv[2]
a, b = (json.load(open(f"{out}/{p}-{n}.json")) for n in (10, 30))
per = (b["loaded_trimmed_rss_kb"] - a["loaded_trimmed_rss_kb"]) / 20 / 1024
print(f"{p}: loaded RSS after trim {a['loaded_trimmed_rss_kb']/1024:.0f} MiB with 10 skills, "
      f"{b['loaded_trimmed_rss_kb']/1024:.0f} MiB with 30: {per:.2f} MiB per skill")
PY
done | tee "$out/summary.txt"
