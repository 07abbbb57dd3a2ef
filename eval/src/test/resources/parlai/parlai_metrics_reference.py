#!/usr/bin/env python3
"""ParlAI's report for a fixed ranking of ParlAI's own fixture examples, written with ParlAI's metric
code (parlai/core/metrics.py: normalize_answer, F1Metric, ExactMatchMetric, TeacherMetrics.
_update_ranking_metrics; torch_ranker_agent.py: rank, mrr; aggregate_named_reports with macro
averages), copied here because ParlAI itself is not installed. ReportParityTest ranks the same
examples the same way and compares every key with parlai_fixture_report.json (this script's output).

The ranking: example i (0-based, over the fixture's examples with candidates, in order) ranks its
label_candidates rotated by 13*i: position j holds candidate (j + 13*i) % K.

Run: python3 parlai_metrics_reference.py ../../../../../shared/data > parlai_fixture_report.json
"""
import json
import re
import sys
from collections import Counter

import yaml

re_art = re.compile(r'\b(a|an|the)\b')
re_punc = re.compile(r'[!"#$%&()*+,-./:;<=>?@\[\]\\^`{|}~_\']')


def normalize_answer(s):
    s = s.lower()
    s = re_punc.sub(' ', s)
    s = re_art.sub(' ', s)
    s = ' '.join(s.split())
    return s


def prec_recall_f1_score(pred_items, gold_items):
    common = Counter(gold_items) & Counter(pred_items)
    num_same = sum(common.values())
    if num_same == 0:
        return 0, 0, 0
    precision = 1.0 * num_same / len(pred_items)
    recall = 1.0 * num_same / len(gold_items)
    f1 = (2 * precision * recall) / (precision + recall)
    return precision, recall, f1


def f1_metric(guess, answers):
    g_tokens = normalize_answer(guess).split()
    scores = [prec_recall_f1_score(g_tokens, normalize_answer(a).split()) for a in answers]
    return max(f1 for p, r, f1 in scores)


def exact_match(guess, answers):
    guess = normalize_answer(guess)
    return any(guess == normalize_answer(a) for a in answers)


def hits(text_cands, labels, ks=(1, 5, 10, 100)):
    label_set = set(normalize_answer(l) for l in labels)
    cnts = {k: 0 for k in ks}
    cnt = 0
    for c in text_cands:
        cnt += 1
        if normalize_answer(c) in label_set:
            for k in ks:
                if cnt <= k:
                    cnts[k] += 1
            break
    return {f'hits@{k}': float(cnts[k] > 0) for k in ks}


def task_report(acts):
    sums = Counter()
    n = 0
    for i, act in enumerate(acts):
        cands = act['label_candidates']
        labels = act['eval_labels']
        k = len(cands)
        ranked = [cands[(j + 13 * i) % k] for j in range(k)]
        text = ranked[0]
        sums['accuracy'] += float(exact_match(text, labels))
        sums['f1'] += f1_metric(text, labels)
        for key, v in hits(ranked[:100], labels).items():
            sums[key] += v
        rank = 1 + ranked.index(labels[0])          # TorchRankerAgent: position of the label's index
        sums['rank'] += rank
        sums['mrr'] += 1.0 / rank
        n += 1
    out = {'exs': n}
    for key in ('accuracy', 'f1', 'hits@1', 'hits@5', 'hits@10', 'hits@100', 'mrr', 'rank'):
        out[key] = sums[key] / n
    return out


def examples(path):
    with open(path) as f:
        acts = yaml.safe_load(f)['acts']
    # examples whose gold is among their candidates (some of BST's fixture examples' are not: ParlAI's
    # ranker then has no rank for them, and our harness refuses them without --ignore-bad-candidates)
    return [turn[0] for turn in acts if turn[0].get('label_candidates') and turn[0].get('eval_labels')
            and turn[0]['eval_labels'][0] in turn[0]['label_candidates']]


def main(datapath):
    fixtures = {'convai2': f'{datapath}/convai2/parlai_fixture_convai2_valid.yml',
                'blended_skill_talk': f'{datapath}/bst/parlai_fixture_blended_skill_talk_valid.yml'}
    reports = {task: task_report(examples(path)) for task, path in fixtures.items()}
    # aggregate_named_reports, macro average: exs summed, every average the mean over tasks
    merged = {'exs': sum(r['exs'] for r in reports.values())}
    for key in ('accuracy', 'f1', 'hits@1', 'hits@5', 'hits@10', 'hits@100', 'mrr', 'rank'):
        merged[key] = sum(r[key] for r in reports.values()) / len(reports)
    for task, r in reports.items():
        for key, v in r.items():
            merged[f'{task}/{key}'] = v
    print(json.dumps({'fixtures': {t: p.split('/data/')[-1] for t, p in fixtures.items()}, 'report': merged},
                     indent=2, sort_keys=True))


if __name__ == '__main__':
    main(sys.argv[1])
