#!/usr/bin/env bash
# amalgam-cli model init / model info / generate / score, wired end to end.
set -euo pipefail
cli=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$cli" model init --arch gpt2 --preset tiny --out "$work/gpt2" --seed 3 | grep -q "GPT2LMHeadModel" || fail "init"
for f in config.json model.safetensors tokenizer.json; do [ -s "$work/gpt2/$f" ] || fail "missing $f"; done
"$cli" model info "$work/gpt2" > "$work/info"
grep -q "tokenizer: *byte-level BPE, 257 tokens" "$work/info" || fail "info: $(cat "$work/info")"
grep -q "weights: *F32" "$work/info" || fail "info dtype: $(cat "$work/info")"

# The same seed writes the same bytes.
"$cli" model init --arch gpt2 --preset tiny --out "$work/again" --seed 3 > /dev/null
cmp -s "$work/gpt2/model.safetensors" "$work/again/model.safetensors" || fail "init is not deterministic"

out=$("$cli" score "$work/gpt2" --context "The nurse" --continuation " smiled")
[[ "$out" == '{"context_ids":[84,104,101,32,110,117,114,115,101],"continuation_ids":[32,115,109,105,108,101,100],"logprobs":['* ]] \
  || fail "score: $out"
[[ "$out" == *'"total":-'* ]] || fail "score total: $out"

[ "$("$cli" generate "$work/gpt2" --prompt "Hi" --max-new-tokens 4 --greedy)" == "$("$cli" generate "$work/gpt2" --prompt "Hi" --max-new-tokens 4)" ] \
  || fail "greedy is the default"

"$cli" model init --arch bert --preset tiny --out "$work/bert" > /dev/null
"$cli" model info "$work/bert" | grep -q "WordPiece" || fail "bert tokenizer"

rm "$work/gpt2/config.json"
set +e
"$cli" model info "$work/gpt2" 2> "$work/err"
status=$?
set -e
[ $status -eq 1 ] || fail "exit status $status for a folder without config.json"
grep -q "config.json: cannot open" "$work/err" || fail "message: $(cat "$work/err")"
echo "model CLI checks passed"
