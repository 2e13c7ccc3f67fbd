#!/usr/bin/env python3
"""Independent count of OASST prompts, single-answer drops, ties and pairs under the rules of
DESIGN.md, and of the unpaired rows (a ranking's best and worst answer; every answer with a
numerical label against the median, or halfway between a label's only two values), straight
from the files with the standard library. The expected numbers in
tests/core/shared_data_test.cpp come from this script:
    python3 tests/golden/oasst_reference_counts.py ../shared/data
The rows' digest is the SHA-256 of their sorted lines "prompt id TAB completion TAB 1 or 0
TAB quality as %.9g (- for none)", each ending in a newline."""
import collections
import hashlib
import json
import statistics
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
    better = (lambda a, b: a < b) if lower_is_better else (lambda a, b: a > b)
    prompts = []
    for p in messages:
        if p["role"] != "prompter" or not usable(p):
            continue
        answers = [a for a in replies[p["message_id"]] if a["role"] == "assistant" and usable(a)]
        prompts.append((p["message_id"], [(a["text"], label_of(a, label)) for a in answers]))
    threshold = None
    if label != "rank":
        values = sorted(v for _, answers in prompts for _, v in answers if v is not None)
        distinct = sorted(set(values))
        threshold = (distinct[0] + distinct[1]) / 2 if len(distinct) == 2 else statistics.median(values)
    c = collections.Counter()
    rows = []
    for pid, answers in prompts:
        c["prompts"] += 1
        labelled = [(t, v) for t, v in answers if v is not None]
        values = [v for _, v in labelled]
        paired = len(values) >= 2 and min(values) != max(values)
        if len(values) < 2:
            c["dropped_single_answer"] += 1
        elif not paired:
            c["dropped_ties"] += 1
        else:
            c["pairs"] += 1
        before = len(rows)
        if threshold is not None:
            for t, v in labelled:
                if v == threshold:
                    c["at_threshold"] += 1
                else:
                    rows.append((pid, t, better(v, threshold), abs(v - threshold)))
        elif paired:
            best = min(values) if lower_is_better else max(values)
            worst = max(values) if lower_is_better else min(values)
            rows.append((pid, next(t for t, v in labelled if v == best), True, None))
            rows.append((pid, next(t for t, v in labelled if v == worst), False, None))
        if len(rows) > before and not paired:
            c["unpaired_only_prompts"] += 1
    c["desirable"] = sum(r[2] for r in rows)
    c["undesirable"] = len(rows) - c["desirable"]
    lines = sorted(f"{pid}\t{t}\t{int(d)}\t{'-' if q is None else '%.9g' % q}\n" for pid, t, d, q in rows)
    c["rows_sha256"] = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
    if threshold is not None:
        c["threshold"] = threshold
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
