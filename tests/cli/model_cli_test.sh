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
# A model is replaced only with --force; a tokenizer that does not load leaves no folder behind.
before=$(sha256sum "$work/bert/model.safetensors")
set +e
"$cli" model init --arch bert --out "$work/bert" --seed 9 2> "$work/err"
status=$?
set -e
[ $status -eq 1 ] && grep -q "is not empty: --force replaces what it holds" "$work/err" || fail "replaced without --force: $(cat "$work/err")"
[ "$(sha256sum "$work/bert/model.safetensors")" == "$before" ] || fail "the refused init changed the model"
"$cli" model init --arch bert --out "$work/bert" --seed 9 --force > /dev/null
[ "$(sha256sum "$work/bert/model.safetensors")" != "$before" ] || fail "--force did not replace the model"
mkdir "$work/broken" && echo '{"model": {}}' > "$work/broken/tokenizer.json"
set +e
"$cli" model init --out "$work/from-broken" --tokenizer "$work/broken" 2> "$work/err"
status=$?
set -e
[ $status -eq 1 ] && grep -q "broken/tokenizer.json" "$work/err" || fail "broken tokenizer: $(cat "$work/err")"
[ -z "$(ls -A "$work" | grep from-broken)" ] || fail "a broken tokenizer left $(ls -A "$work" | grep from-broken)"
echo "model CLI checks passed"
