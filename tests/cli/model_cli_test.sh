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
# Sampling options out of range, odd values and texts past the model's context are refused before any work.
"$cli" model init --arch llama --out "$work/llama" > /dev/null
refused() {  # STATUS MESSAGE ARGS...
  local want=$1 message=$2
  shift 2
  set +e
  "$cli" "$@" > /dev/null 2> "$work/err"
  local status=$?
  set -e
  [ $status -eq "$want" ] && grep -q -- "$message" "$work/err" || fail "$*: status $status, $(cat "$work/err")"
}
refused 2 "--temperature needs a finite number, not 'nan'" generate "$work/llama" --prompt Hi --temperature nan
refused 2 "--top-p must be in (0, 1]" generate "$work/llama" --prompt Hi --top-p 2
refused 2 "--temperature must be in (0, 100]" generate "$work/llama" --prompt Hi --temperature -1
refused 2 "--prompt is not valid UTF-8" generate "$work/llama" --prompt "$(printf 'Hi \xff')"
refused 2 "--out needs a value, not an empty one" model init --out ""
refused 1 "exceed the model's context of 512 positions" generate "$work/llama" --prompt Hi --max-new-tokens 600
refused 1 "longer than the model's context of 512 positions" score "$work/llama" --context "$(printf 'word %.0s' $(seq 1 700))" --continuation " x"
echo "model CLI checks passed"
