"""Our byte-level pre-tokenizer splits beside Python's `regex` running the same patterns (the
engine behind them in `tokenizers` is Oniguruma; both follow the same alternation and
backtracking rules): every split pattern Amalgam reads from tokenizer.json (GPT-2's, Llama 3's,
Qwen2's, o200k's as Phi-4 has it, Tekken's as Mistral NeMo has it), on texts chosen to stress them and on the public corpora where ../shared/data has them.

usage: split_equality.py SPLIT_TOOL SOURCE_DIR"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import regex
except ImportError:
    print("Python's regex module is not installed (Debian: python3-regex)", file=sys.stderr)
    sys.exit(1)

PATTERNS = {
    "gpt2": r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
    "llama3": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
    "qwen2": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
    "o200k": r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"""
             r"""|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"""
             r"""|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
    "tekken": r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"""
              r"""|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*"""
              r"""|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
}


def corpus(source_dir):
    with open(os.path.join(source_dir, "tests", "core", "tokens", "corpus.json"), encoding="utf-8") as f:
        texts = json.load(f)["texts"]  # chosen to stress the patterns
    data = os.path.normpath(os.path.join(source_dir, "..", "shared", "data"))
    winogrande = os.path.join(data, "winogrande", "train_xs.jsonl")
    oasst = os.path.join(data, "oasst1", "oasst1-validation-en.jsonl")
    if os.path.exists(winogrande):
        texts += [json.loads(line)["sentence"] for line in open(winogrande, encoding="utf-8")]
    if os.path.exists(oasst):
        texts += [json.loads(line)["text"] for line in open(oasst, encoding="utf-8")]
    return texts


def main():
    tool, source_dir = sys.argv[1], sys.argv[2]
    texts = corpus(source_dir)
    failures = 0
    for name, pattern in PATTERNS.items():
        compiled = regex.compile(pattern)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
            json.dump({"regex": pattern, "texts": texts}, f, ensure_ascii=False)
        try:
            ours = json.loads(subprocess.run([tool, f.name], check=True, capture_output=True).stdout.decode("utf-8"))
        finally:
            os.unlink(f.name)
        differing = [(t, o) for t, o in zip(texts, ours) if compiled.findall(t) != o]
        for text, got in differing[:5]:
            print(f"FAIL {name} on {text[:80]!r}:\n  regex: {compiled.findall(text)[:20]}\n  ours:  {got[:20]}")
        failures += len(differing)
        print(f"{name}: {len(texts) - len(differing)} of {len(texts)} texts split alike")
    print(f"regex {regex.__version__}")
    sys.exit(1 if failures else 0)


main()
