#!/usr/bin/env bash
# Run here before the device check: puts what the GPU machine lacks into ignored folders of
# the project, to be carried there: the nlohmann-json headers (third_party/) and, from the data
# folders, the WinoBias test split, the GPT-2 tokenizer, the real tokenizers of
# tests/core/tokens (gzipped) and the texts their golden ids are of (device-data/).
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=../shared/data
rm -rf device-data
mkdir -p third_party device-data/winobias device-data/tokenizers/gpt2
cp -r /usr/include/nlohmann third_party/
cp "$shared"/winobias/*_stereotyped_type[12].txt.test device-data/winobias/
cp "$shared"/tokenizers/gpt2/tokenizer.json device-data/tokenizers/gpt2/
python3 - "$shared" <<'PY'
import gzip, json, os, shutil, sys
folders = [p for p in (os.environ.get("AMALGAM_DATA"), sys.argv[1],
                       os.path.join(os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "Amalgam", "data")) if p]
corpus = json.load(open("tests/core/tokens/corpus.json", encoding="utf-8"))
texts = list(corpus["texts"])
for source in corpus["data_texts"]:
    path = os.path.join(sys.argv[1], source["file"])
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            texts += [json.loads(line)[source["field"]] for _, line in zip(range(source["count"]), f)]
json.dump(texts, open("device-data/tokens_texts.json", "w", encoding="utf-8"), ensure_ascii=False)
for name in sorted(n[:-5] for n in os.listdir("tests/core/tokens") if n != "corpus.json"):
    found = next((os.path.join(p, "tokenizers", name, "tokenizer.json") for p in folders
                  if os.path.exists(os.path.join(p, "tokenizers", name, "tokenizer.json"))), None)
    if found:
        os.makedirs(f"device-data/tokenizers/{name}", exist_ok=True)
        with open(found, "rb") as src, gzip.open(f"device-data/tokenizers/{name}/tokenizer.json.gz", "wb") as dst:
            shutil.copyfileobj(src, dst)
print(f"{len(texts)} corpus texts", file=sys.stderr)
PY
du -sh third_party device-data
