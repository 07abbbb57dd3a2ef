#!/usr/bin/env python3
"""Compares two eval_model reports key by key: every ranking metric must be equal; timings and
keys only one side has are listed apart. Usage: compare.py OLD.json NEW.json"""
import json, sys
old = json.load(open(sys.argv[1]))["report"]
new = json.load(open(sys.argv[2]))["report"]
timing = ("wall_time_s", "exs_per_s", "tokens_per_s", "exps")
same, differ, timings, only = [], [], [], []
for k in sorted(set(old) | set(new)):
    if k not in old or k not in new:
        only.append(f"{k}: only in {'new' if k in new else 'old'} ({new.get(k, old.get(k))})")
    elif k.endswith(timing):
        timings.append(k)
    elif old[k] == new[k]:
        same.append(k)
    else:
        differ.append(f"{k}: {old[k]} -> {new[k]}")
print(f"{len(same)} metrics equal, {len(differ)} differ, {len(timings)} timings not compared")
print("\n".join(differ) or "no metric differs")
print("keys on one side only:\n  " + "\n  ".join(only))
sys.exit(1 if differ else 0)
