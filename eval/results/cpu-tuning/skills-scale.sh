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
# a fixed Java heap, touched at start: the heap then weighs the same in every run (however much
# garbage loading the skills makes), and the RSS slope over the runs is the native memory a skill
# adds (pool embeddings, adapter weights)
export JAVA_OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch}"
cache="${CACHE_DIR:-.cache/bench-skills-scale}"
one="$(mktemp -d)"   # a skills folder holding only blended_skill_talk and its base
trap 'rm -rf "$one"' EXIT
ln -s "$root/skills/blended_skill_talk" "$root/skills/adahit_base" "$one/"
for n in 1 10 100; do
  f="$out/skills-scale-$n.txt"
  [[ -s "$f" ]] && grep -q 'mixed / single' "$f" && continue
  bin/adahit bench-server --conversations 64 --turns 20 --think-ms 0 --mixed-skills "$n" \
    --skills-dir "$one" --cache-dir "$cache" --json "$out/skills-scale-$n.json" > "$f" 2>&1
done
grep -H -E '^loaded|^single|^mixed' "$out"/skills-scale-*.txt
