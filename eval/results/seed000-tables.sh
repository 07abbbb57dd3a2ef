#!/usr/bin/env bash
# Regenerates eval/results/seed000/*.json and the tables in eval/results/seed000-tables.md:
# seed 000's Table 1 on our backbone (zero-shot, FE, Ada, AdaHIT on the full valid split of all
# four tasks; K = 20 for ConvAI2, 100 for the others) and its Table 2 in small (the new skill,
# blended_skill_talk, on a base trained on one old skill vs on all three).
# Needs the adapters that eval/results/train-seed000.sh trains. Resumable: finished reports are kept.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out=eval/results/seed000
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
      fe)        [[ -d ".cache/runs/fe/$t" ]] && evaluate fe "$t" --adapter ".cache/runs/fe/$t" ;;
      ada)       [[ -d ".cache/runs/ada/$t" ]] && evaluate ada "$t" --adapter ".cache/runs/ada/$t" ;;
      adahit)    [[ -d "skills/$t" ]] && evaluate adahit "$t" --skills-dir skills --skill "$t" ;;
      fusion3)   [[ -d skills/bst_fusion3 ]] && evaluate fusion3 "$t" --skills-dir skills --skill bst_fusion3 ;;
      fusion4)   [[ -d skills/bst_fusion4 ]] && evaluate fusion4 "$t" --skills-dir skills --skill bst_fusion4 ;;
      auto)      [[ -d skills/auto ]] && evaluate auto "$t" --skills-dir skills --skill auto ;;
    esac
  done
  if [[ "$row" == ablation ]]; then
    for a in ctx256 pairs24k; do
      [[ -d ".cache/runs/ablation/$a" ]] && evaluate "ablation-$a" convai2 --adapter ".cache/runs/ablation/$a"
    done
    # the shipped skills evaluated at their training length (what the server serves by default)
    for t in convai2 blended_skill_talk; do
      evaluate ablation-eval128 "$t" --skills-dir skills --skill "$t" --text-truncate 128
    done
  fi
  if [[ "$row" == table2 && -d .cache/runs/table2/blended_skill_talk ]]; then
    evaluate table2-base-convai2 blended_skill_talk --adapter .cache/runs/table2/blended_skill_talk
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
      fe|ada) dirs=(); for t in "${tasks[@]}"; do dirs+=(".cache/runs/$row/$t"); done
        if [[ -d "${dirs[3]}" ]]; then p=$(params "${dirs[@]}"); theta=$(printf "%.4f" "$(echo "$p / $backbone" | bc -l)")
          delta=$(printf "%.2f%%" "$(echo "100 * $(params "${dirs[0]}") / $backbone" | bc -l)"); else theta="—"; delta="—"; fi ;;
      adahit) if [[ -d skills/blended_skill_talk ]]; then
          p=$(params skills/adahit_base skills/convai2 skills/wizard_of_wikipedia skills/empathetic_dialogues skills/blended_skill_talk)
          theta=$(printf "%.4f" "$(echo "$p / $backbone" | bc -l)")
          delta=$(printf "%.2f%% (+ base %.2f%%, trained once)" "$(echo "100 * $(params skills/convai2) / $backbone" | bc -l)" \
            "$(echo "100 * $(params skills/adahit_base) / $backbone" | bc -l)"); else theta="—"; delta="—"; fi ;;
      fusion3|fusion4) d="skills/bst_${row}"; if [[ -d "$d" ]]; then
          # the fusion's own parameters plus everything it runs: the base and the fused task adapters
          p=$(jq '.parameter_count' "$d/adapter_config.json"); for f in $(jq -r '.fused[].skill' "$d/adapter_config.json"); do
            p=$((p + $(params "skills/$f"))); done; p=$((p + $(params skills/adahit_base)))
          theta=$(printf "%.4f" "$(echo "$p / $backbone" | bc -l)")
          delta=$(printf "%.2f%% (fusion only)" "$(echo "100 * $(params "$d") / $backbone" | bc -l)"); else theta="—"; delta="—"; fi ;;
      auto) if [[ -f skills/auto/router_config.json ]]; then
          p=$(params skills/adahit_base skills/convai2 skills/wizard_of_wikipedia skills/empathetic_dialogues skills/blended_skill_talk)
          r=$(jq '.parameter_count' skills/auto/router_config.json); p=$((p + r))
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
  if [[ -f "$out/ablation-ctx256/convai2.json" || -f "$out/ablation-pairs24k/convai2.json" ]]; then
    echo
    echo "## What the budget shortcuts cost: the convai2 sub-adapter without each (convai2 valid, K = 20, contexts 256 unless said)"
    echo
    echo "| convai2 task sub-adapter (600 steps on the shipped base) | hits@1 | MRR |"
    echo "|---|---|---|"
    f="$out/adahit/convai2.json"; echo "| shipped: 128-token contexts, 12,000 training pairs | $(metric "$f" convai2 hits@1) | $(metric "$f" convai2 mrr) |"
    f="$out/ablation-ctx256/convai2.json"; echo "| 256-token contexts (the eval length), 12,000 pairs | $(metric "$f" convai2 hits@1) | $(metric "$f" convai2 mrr) |"
    f="$out/ablation-pairs24k/convai2.json"; echo "| 128-token contexts, 24,000 pairs | $(metric "$f" convai2 hits@1) | $(metric "$f" convai2 mrr) |"
    f="$out/ablation-eval128/convai2.json"; echo "| shipped, evaluated with 128-token contexts (\`--text-truncate 128\`) | $(metric "$f" convai2 hits@1) | $(metric "$f" convai2 mrr) |"
    echo
    echo "Shipped skills evaluated at their training length (128) instead of 256, hits@1 / MRR:"
    echo
    echo "| task | at 256 (Table 1) | at 128 |"
    echo "|---|---|---|"
    for t in convai2 blended_skill_talk; do
      echo "| $t | $(metric "$out/adahit/$t.json" "$t" hits@1) / $(metric "$out/adahit/$t.json" "$t" mrr) | $(metric "$out/ablation-eval128/$t.json" "$t" hits@1) / $(metric "$out/ablation-eval128/$t.json" "$t" mrr) |"
    done
  fi
} > eval/results/seed000-tables.md
cat eval/results/seed000-tables.md
