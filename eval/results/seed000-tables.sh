#!/usr/bin/env bash
# Regenerates eval/results/seed000/*.json and the tables in eval/results/seed000-tables.md:
# seed 000's Table 1 on our backbone (zero-shot, FE, Ada, AdaHIT on the full valid split of all
# four tasks; K = 20 for ConvAI2, 100 for the others; every skill at the lengths it was trained at,
# as its manifest says; zero-shot at 256 / 128), its Table 2 in small (the new skill,
# blended_skill_talk, on a base trained on one old skill vs on all three) and Table 3 in small
# (adapters in the top 2, 4 or 6 layers, from the recipe ablation).
# Needs the adapters that eval/results/train-seed000.sh trains (SKILLS, RUNS and OUT say where, as
# there). Resumable: a finished report is kept (delete OUT's reports when the adapters change).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
SKILLS="${SKILLS:-skills}"                     # the AdaHIT skills, fusions and router evaluated
RUNS="${RUNS:-.cache/runs}"                    # the baselines (fe, ada) and Table 2's runs
out="${OUT:-eval/results/seed000}"             # one report per row and task
tables="${TABLES:-eval/results/seed000-tables.md}"
tasks=(convai2 wizard_of_wikipedia empathetic_dialogues blended_skill_talk)

evaluate() { # row task [model flags]
  local row="$1" task="$2"; shift 2
  local rf="$out/$row/$task.json"
  if [[ -f "$rf" ]]; then echo "have $rf"; return; fi
  mkdir -p "$out/$row"
  echo "=== $row $task $*"
  bin/adahit eval_model -t "$task" -dt valid -bs 64 -rf "$rf" "$@"
}

rows=("${@:-zero-shot fe ada adahit table2 fusion3 fusion4 auto}")
for row in ${rows[*]}; do
  for t in "${tasks[@]}"; do
    case "$row" in
      zero-shot) ;; # eval/results/zero-shot-minilm-valid.json (same teachers, seed and K; see its README)
      fe)        [[ -d "$RUNS/fe/$t" ]] && evaluate fe "$t" --adapter "$RUNS/fe/$t" ;;
      ada)       [[ -d "$RUNS/ada/$t" ]] && evaluate ada "$t" --adapter "$RUNS/ada/$t" ;;
      adahit)    [[ -d "$SKILLS/$t" ]] && evaluate adahit "$t" --skills-dir "$SKILLS" --skill "$t" ;;
      fusion3)   [[ -d "$SKILLS"/bst_fusion3 ]] && evaluate fusion3 "$t" --skills-dir "$SKILLS" --skill bst_fusion3 ;;
      fusion4)   [[ -d "$SKILLS"/bst_fusion4 ]] && evaluate fusion4 "$t" --skills-dir "$SKILLS" --skill bst_fusion4 ;;
      auto)      [[ -d "$SKILLS"/auto ]] && evaluate auto "$t" --skills-dir "$SKILLS" --skill auto ;;
    esac
  done
  if [[ "$row" == table2 && -d "$RUNS"/table2/blended_skill_talk ]]; then
    evaluate table2-base-convai2 blended_skill_talk --adapter "$RUNS"/table2/blended_skill_talk
  fi
done

# --- tables (jq) ---
metric() { # file task metric
  [[ -f "$1" ]] || { echo "—"; return; }
  jq -r --arg t "$2" --arg m "$3" '(.report[$t + "/" + $m] // .report[$m]) | if . == null then "—" else (. * 1000 | round / 1000 | tostring) end' "$1"
}
params() { # adapter dirs... -> sum of parameter_count
  local n=0
  for d in "$@"; do n=$((n + $(jq '.parameter_count' "$d/adapter_config.json"))); done
  echo "$n"
}
backbone=22565376
{
  echo "## Table 1: hits@1 on the full valid splits (K = 20 ConvAI2, 100 others)"
  echo
  echo "| model | convai2 | wizard_of_wikipedia | empathetic_dialogues | blended_skill_talk | average | Θ (× backbone) | θΔ per skill (% of backbone) |"
  echo "|---|---|---|---|---|---|---|---|"
  for row in zero-shot fe ada adahit fusion3 fusion4 auto; do
    line="| $row"; sum=0; have=0
    for t in "${tasks[@]}"; do
      f="$out/$row/$t.json"; [[ "$row" == zero-shot ]] && f=eval/results/zero-shot-minilm-valid.json
      v=$(metric "$f" "$t" "hits@1"); line="$line | $v"
      if [[ "$v" != "—" ]]; then sum=$(echo "$sum + $v" | bc -l); have=$((have + 1)); fi
    done
    avg="—"; [[ $have -eq 4 ]] && avg=$(printf "%.3f" "$(echo "$sum / 4" | bc -l)")
    case "$row" in
      zero-shot) theta="0"; delta="0" ;;
      fe|ada) dirs=(); for t in "${tasks[@]}"; do dirs+=("$RUNS/$row/$t"); done
        if [[ -d "${dirs[3]}" ]]; then p=$(params "${dirs[@]}"); theta=$(printf "%.4f" "$(echo "$p / $backbone" | bc -l)")
          delta=$(printf "%.2f%%" "$(echo "100 * $(params "${dirs[0]}") / $backbone" | bc -l)"); else theta="—"; delta="—"; fi ;;
      adahit) if [[ -d "$SKILLS"/blended_skill_talk ]]; then
          p=$(params "$SKILLS"/adahit_base "$SKILLS"/convai2 "$SKILLS"/wizard_of_wikipedia "$SKILLS"/empathetic_dialogues "$SKILLS"/blended_skill_talk)
          theta=$(printf "%.4f" "$(echo "$p / $backbone" | bc -l)")
          delta=$(printf "%.2f%% (+ base %.2f%%, trained once)" "$(echo "100 * $(params "$SKILLS"/convai2) / $backbone" | bc -l)" \
            "$(echo "100 * $(params "$SKILLS"/adahit_base) / $backbone" | bc -l)"); else theta="—"; delta="—"; fi ;;
      fusion3|fusion4) d="$SKILLS/bst_${row}"; if [[ -d "$d" ]]; then
          # the fusion's own parameters plus everything it runs: the base and the fused task adapters
          p=$(jq '.parameter_count' "$d/adapter_config.json"); for f in $(jq -r '.fused[].skill' "$d/adapter_config.json"); do
            p=$((p + $(params "$SKILLS/$f"))); done; p=$((p + $(params "$SKILLS"/adahit_base)))
          theta=$(printf "%.4f" "$(echo "$p / $backbone" | bc -l)")
          delta=$(printf "%.2f%% (fusion only)" "$(echo "100 * $(params "$d") / $backbone" | bc -l)"); else theta="—"; delta="—"; fi ;;
      auto) if [[ -f "$SKILLS"/auto/router_config.json ]]; then
          p=$(params "$SKILLS"/adahit_base "$SKILLS"/convai2 "$SKILLS"/wizard_of_wikipedia "$SKILLS"/empathetic_dialogues "$SKILLS"/blended_skill_talk)
          r=$(jq '.parameter_count' "$SKILLS"/auto/router_config.json); p=$((p + r))
          theta=$(printf "%.4f" "$(echo "$p / $backbone" | bc -l)"); delta="router $r parameters"; else theta="—"; delta="—"; fi ;;
    esac
    echo "$line | $avg | $theta | $delta |"
  done
  echo
  echo "## Table 2 (small): blended_skill_talk, the new skill"
  echo
  echo "| model | hits@1 | MRR |"
  echo "|---|---|---|"
  f=eval/results/zero-shot-minilm-valid.json; echo "| zero-shot | $(metric "$f" blended_skill_talk hits@1) | $(metric "$f" blended_skill_talk mrr) |"
  f="$out/table2-base-convai2/blended_skill_talk.json"; echo "| AdaHIT, base trained on convai2 only | $(metric "$f" blended_skill_talk hits@1) | $(metric "$f" blended_skill_talk mrr) |"
  f="$out/adahit/blended_skill_talk.json"; echo "| AdaHIT, base trained on convai2 + WoW + ED | $(metric "$f" blended_skill_talk hits@1) | $(metric "$f" blended_skill_talk mrr) |"
  if [[ -f "$out/auto/convai2.json" ]]; then
    echo
    echo "## The router skill \`auto\` on the full valid splits: where it sent each task's contexts"
    echo
    echo "Routing accuracy: the share of a task's examples routed to that task's own skill; end-to-end"
    echo "hits@1 is Table 1's auto row (each example ranked by the skill the router chose)."
    echo
    echo "| task | routing accuracy | → convai2 | → wizard_of_wikipedia | → empathetic_dialogues | → blended_skill_talk | hits@1 (auto) | hits@1 (own skill) |"
    echo "|---|---|---|---|---|---|---|---|"
    for t in "${tasks[@]}"; do
      f="$out/auto/$t.json"; [[ -f "$f" ]] || continue
      echo "| $t | $(metric "$f" "$t" routing_accuracy) | $(jq -r '.report.routed | [.convai2, .wizard_of_wikipedia, .empathetic_dialogues, .blended_skill_talk] | map(. // 0 | tostring) | join(" | ")' "$f") | $(metric "$f" "$t" hits@1) | $(metric "$out/adahit/$t.json" "$t" hits@1) |"
    done
  fi
  echo
  echo "## Table 3 (small): which layers' adapters matter"
  echo
  echo "Ada on convai2 with adapters in the top 2, 4 or all 6 of the backbone's 6 layers, everything else equal"
  echo "(12,000 training pairs, 750 steps of 32, 256-token contexts; convai2 valid, 7,801 examples, K = 20;"
  echo "rows of eval/results/recipe-ablation.sh, whose table is eval/results/recipe/README.md)."
  echo
  echo "| adapters in layers | hits@1 | MRR |"
  echo "|---|---|---|"
  for r in ref:4-5 top4:2-5 top6:0-5; do
    f="eval/results/recipe/${r%%:*}.json"; echo "| ${r#*:} | $(metric "$f" convai2 hits@1) | $(metric "$f" convai2 mrr) |"
  done
} > "$tables"
cat "$tables"
