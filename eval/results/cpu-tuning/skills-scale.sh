#!/usr/bin/env bash
# Issue 23 item 5: resident memory and throughput with 1, 10 and 100 adapter skills loaded. The
# skills beyond the shipped one are synthetic seeded copies of its shape (bench-server's
# BenchSkills: blended_skill_talk's AdaHIT sub-adapters over the same base, its trained lengths and
# its 5,000 candidates), so each costs what a trained skill of that shape costs. Each run loads N skills (the shipped blended_skill_talk, with
# the AdaHIT base it stands on, plus N-1 synthetic ones), then measures 64 back-to-back
# conversations on one skill ("single") and spread over the N skills ("mixed"). The marginal RSS
# per skill is the slope between the runs' resident memory.
#   eval/results/cpu-tuning/skills-scale.sh [OUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
out="${1:-$root/eval/results/cpu-tuning}"
cd "$root"
source eval/results/cpu-tuning/bench-skills-env.sh   # JAVA_OPTS, $cache, $one
for n in 1 10 100; do
  f="$out/skills-scale-$n.txt"
  [[ -s "$f" ]] && grep -q 'mixed / single' "$f" && continue
  bin/adahit bench-server --conversations 64 --turns 20 --think-ms 0 --mixed-skills "$n" \
    --skills-dir "$one" --cache-dir "$cache" --json "$out/skills-scale-$n.json" > "$f" 2>&1
done
grep -H -E '^loaded|^single|^mixed' "$out"/skills-scale-*.txt
