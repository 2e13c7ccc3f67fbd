"""Python's `tokenizers` beside the golden ids of tests/core/tokens, which the CPU suite holds our
tokenizer to: the same corpus must give the same ids. prepare.sh carries each real tokenizer it
finds in the data folders (gzipped) and the corpus texts (tokens_texts.json)."""
import glob
import gzip
import json
import os

import tokenizers


def run(d):
    texts_path = os.path.join(d.data, "tokens_texts.json")
    if not os.path.exists(texts_path):
        print("SKIP tokens: no tokens_texts.json carried (prepare.sh writes it)", flush=True)
        return
    with open(texts_path, encoding="utf-8") as f:
        texts = json.load(f)
    goldens = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "tokens")
    for path in sorted(glob.glob(os.path.join(goldens, "*.json"))):
        if os.path.basename(path) == "corpus.json":
            continue
        with open(path, encoding="utf-8") as f:
            golden = json.load(f)
        name = golden["tokenizer"]
        carried = os.path.join(d.data, "tokenizers", name, "tokenizer.json.gz")
        if not os.path.exists(carried):
            print(f"SKIP tokens {name}: not carried", flush=True)
            continue
        with gzip.open(carried, "rt", encoding="utf-8") as f:
            tokenizer = tokenizers.Tokenizer.from_str(f.read())
        ids = [e.ids for e in tokenizer.encode_batch(texts)]
        equal = sum(a == b for a, b in zip(ids, golden["ids"]))
        d.check(f"tokens {name}", equal == len(texts) and len(texts) <= len(golden["ids"]),
                f"{equal} of {len(texts)} texts give the golden ids (tokenizers {tokenizers.__version__})")
