#!/usr/bin/env python3
"""Independent count of OASST prompts, single-answer drops, ties and pairs under the rules of
DESIGN.md, straight from the files with the standard library. The expected numbers in
tests/core/shared_data_test.cpp come from this script:
    python3 tests/golden/oasst_reference_counts.py ../shared/data"""
import collections
import json
import sys


def usable(m):
    return not m.get("deleted", False) and m.get("review_result") is not False


def label_of(m, label):
    if label == "rank":
        return m.get("rank")
    group, name = label.split(".", 1)
    if group == "detoxify":
        return (m.get("detoxify") or {}).get(name)
    labels = m.get("labels") or {}
    if "name" in labels:
        return dict(zip(labels["name"], labels["value"])).get(name)
    return (labels.get(name) or {}).get("value")


def count(messages, label, lower_is_better):
    replies = collections.defaultdict(list)
    for m in messages:
        replies[m.get("parent_id")].append(m)
    c = collections.Counter()
    for p in messages:
        if p["role"] != "prompter" or not usable(p):
            continue
        c["prompts"] += 1
        values = [label_of(a, label) for a in replies[p["message_id"]] if a["role"] == "assistant" and usable(a)]
        values = [v for v in values if v is not None]
        if len(values) < 2:
            c["dropped_single_answer"] += 1
        elif min(values) == max(values):
            c["dropped_ties"] += 1
        else:
            c["pairs"] += 1
    return dict(c)


def flatten(node, parent, out):
    out.append(dict(node, parent_id=node.get("parent_id", parent)))
    for r in node.get("replies") or []:
        flatten(r, node["message_id"], out)


if __name__ == "__main__":
    data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
    rows = [json.loads(l) for l in open(f"{data}/oasst1/oasst1-validation-en.jsonl", encoding="utf-8")]
    trees = []
    for l in open(f"{data}/oasst1/laion-en_100_tree.jsonl", encoding="utf-8"):
        flatten(json.loads(l)["prompt"], None, trees)
    print("validation detoxify.toxicity", count(rows, "detoxify.toxicity", True))
    print("validation labels.quality", count(rows, "labels.quality", False))
    print("validation rank", count(rows, "rank", True))
    print("laion tree rank", count(trees, "rank", True))
