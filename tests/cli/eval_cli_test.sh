#!/usr/bin/env bash
# amalgam-cli eval and compare end to end on the example data, which is laid out as an
# evaluation folder (winobias/, winogrande/, winogender/).
set -euo pipefail
cli=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

data="$src/resources/examples"

"$cli" model init --arch llama --out "$work/llama" --seed 1 > /dev/null
"$cli" model init --arch gpt2 --out "$work/gpt2" --seed 2 > /dev/null
"$cli" eval "$work/llama" --data "$data" --out "$work/llama.json" --workspace "$work/ws.amalgam" > "$work/eval.log"
grep -q '^bias ' "$work/eval.log" || fail "no metrics printed: $(cat "$work/eval.log")"
grep -q '"winobias_pairs": 8' "$work/llama.json" || fail "8 pairs expected"
grep -q '"winogrande": 8' "$work/llama.json" || fail "8 WinoGrande items expected"
grep -q '"winogender": 36' "$work/llama.json" || fail "36 Winogender items expected"
grep -q '"occupation": "sheriff"' "$work/llama.json" || fail "per-item records missing"

# --progress json: one JSON object per line, every stage finished.
"$cli" eval "$work/llama" --data "$data" --suite winogrande --out "$work/p.json" --progress json > "$work/progress.log"
grep -q '^{"progress":{"stage":"winogrande","done":8,"total":8}}$' "$work/progress.log" || fail "progress: $(cat "$work/progress.log")"
[ "$(head -1 "$work/progress.log")" = '{"plan":[{"stage":"winogrande","total":8,"work":8.0}]}' ] || fail "the plan first: $(cat "$work/progress.log")"

"$cli" eval "$work/gpt2" --data "$data" --suite winogrande --limit 5 --out "$work/gpt2.json" --workspace "$work/ws.amalgam" --label small-gpt2 > /dev/null
grep -q '"winogrande": 5' "$work/gpt2.json" || fail "--limit"
[ "$(grep -c '"bias"' "$work/gpt2.json")" -eq 0 ] || fail "bias reported without the WinoBias suite"

"$cli" compare --workspace "$work/ws.amalgam" > "$work/table.md"
[ "$(grep -c '^| ' "$work/table.md")" -eq 4 ] || fail "table: $(cat "$work/table.md")"
grep -q '^| llama | \*\*' "$work/table.md" || fail "the only WinoBias row should be best: $(cat "$work/table.md")"
"$cli" compare --workspace "$work/ws.amalgam" --format csv | grep -q '^small-gpt2,,,,,,' || fail "csv row"
# Each value carries its bootstrap interval; a baseline adds the paired differences, which need the same items.
grep -q '^| llama | \*\*[0-9.]*\*\* \[[0-9.]*, [0-9.]*\] |' "$work/table.md" || fail "interval: $(cat "$work/table.md")"
"$cli" compare --workspace "$work/ws.amalgam" --baseline llama > "$work/diff.md"
grep -q '^Difference from llama' "$work/diff.md" || fail "baseline table: $(cat "$work/diff.md")"
grep -q '^| small-gpt2 |  |  |  |  |  | [-+][0-9.]* |  |$' "$work/diff.md" || fail "5 of 8 WinoGrande items: no paired interval: $(cat "$work/diff.md")"
"$cli" compare --workspace "$work/ws.amalgam" --baseline llama --format csv | head -1 | grep -q ',winogender,winogender_lo,winogender_hi,winogender_diff,winogender_diff_lo,winogender_diff_hi$' || fail "csv diff columns"
set +e
"$cli" compare --workspace "$work/ws.amalgam" --baseline nobody 2> "$work/err" > /dev/null
[ $? -eq 2 ] && grep -q 'no stored evaluation has that label (llama, small-gpt2)' "$work/err" || fail "unknown baseline: $(cat "$work/err")"
set -e

# Device and dtype: recorded in results.json; every model command takes --dtype.
grep -q '"device": "cpu"' "$work/llama.json" || fail "device not recorded"
grep -q '"dtype": "float32"' "$work/llama.json" || fail "auto is float32 on the CPU"
"$cli" eval "$work/llama" --data "$data" --suite winogrande --out "$work/bf16.json" --device cpu --dtype bfloat16 > /dev/null
grep -q '"dtype": "bfloat16"' "$work/bf16.json" || fail "dtype not recorded"
grep -q '"winogrande": 8' "$work/bf16.json" || fail "bfloat16 evaluation"
"$cli" score "$work/llama" --context "The nurse" --continuation " said" --dtype bfloat16 | grep -q '"total":' || fail "score --dtype"
[ -n "$("$cli" generate "$work/llama" --prompt "The nurse" --max-new-tokens 4 --dtype bfloat16)" ] || fail "generate --dtype"

set +e
"$cli" eval "$work/llama" --data "$data" --out "$work/c.json" --device cuda --suite winogrande > /dev/null 2> "$work/err"
status=$?
"$cli" score "$work/llama" --context a --continuation b --dtype double 2> "$work/usage"
usage_status=$?
set -e
[ $status -eq 0 ] || grep -q "no CUDA support; use --device cpu" "$work/err" || fail "--device cuda: $(cat "$work/err")"
[ $usage_status -eq 2 ] && grep -q "unknown dtype 'double'" "$work/usage" || fail "--dtype double: $(cat "$work/usage")"

set +e
"$cli" eval "$work/llama" --data "$work/missing" --out "$work/x.json" 2> "$work/err"
status=$?
set -e
[ $status -eq 1 ] || fail "exit status $status for a missing data folder"
grep -q "the data folder $work/missing does not exist: \`amalgam-cli data get\` fetches" "$work/err" || fail "message: $(cat "$work/err")"
# A data folder without one of the suites names the file.
mkdir -p "$work/partial"
set +e
"$cli" eval "$work/llama" --data "$work/partial" --suite winobias --out "$work/x.json" 2> "$work/err"
status=$?
set -e
[ $status -eq 1 ] && grep -q "pro_stereotyped_type1.txt.test: cannot open" "$work/err" || fail "a partial folder: $(cat "$work/err")"
[ ! -e "$work/x.json" ] || fail "results written despite the error"
# Checked before the work: a workspace that is no workspace, odd flag values.
echo "not sqlite" > "$work/not.amalgam"
expect_refusal() {  # STATUS MESSAGE ARGS...
  local want=$1 message=$2
  shift 2
  set +e
  "$cli" eval "$@" 2> "$work/err" > /dev/null
  local status=$?
  set -e
  [ $status -eq "$want" ] && grep -q -- "$message" "$work/err" || fail "eval $*: status $status, $(cat "$work/err")"
}
expect_refusal 1 "not.amalgam: " "$work/llama" --data "$data" --out "$work/y.json" --workspace "$work/not.amalgam"
expect_refusal 2 "--limit must be at least 1" "$work/llama" --data "$data" --out "$work/y.json" --limit 0
expect_refusal 2 "--template takes chat (the model's own chat template), not 'Q: {prompt}'" "$work/llama" --data "$data" --out "$work/y.json" --template "Q: {prompt}"

# --template chat: the contexts become the user's turn of the model's template; a model without
# one is evaluated as without the option, and records no template.
"$cli" eval "$work/llama" --data "$data" --suite winogrande --out "$work/plain-chat.json" --template chat > /dev/null
grep -q '"template"' "$work/plain-chat.json" && fail "a model without a chat template recorded one"
[ "$(grep -A1 '"metrics"' "$work/plain-chat.json")" = "$(grep -A1 '"metrics"' "$work/p.json")" ] || fail "without a chat template, --template chat changed the metrics"
cat > "$work/llama/tokenizer_config.json" <<'JSON'
{"eos_token": "<|endoftext|>", "chat_template": "{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}{{ eos_token }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}"}
JSON
"$cli" eval "$work/llama" --data "$data" --out "$work/chat.json" --template chat > /dev/null
grep -q '"template": "{% for m in messages %}' "$work/chat.json" || fail "the chat template is not recorded"
grep -q '"winobias_pairs": 8' "$work/chat.json" || fail "8 pairs expected with the chat template"
[ "$(grep -A3 '"metrics"' "$work/chat.json")" != "$(grep -A3 '"metrics"' "$work/llama.json")" ] || fail "the chat template changed no metric"
expect_refusal 2 "--suite needs one or more" "$work/llama" --data "$data" --out "$work/y.json" --suite ","
expect_refusal 2 "is a folder: name the results file" "$work/llama" --data "$data" --out "$work"
[ ! -e "$work/y.json" ] || fail "results written by a refused evaluation"

# A model whose outputs are not finite (its last weights NaN) is refused; nothing is written or stored.
cp -r "$work/llama" "$work/nan"
size=$(stat -c %s "$work/nan/model.safetensors")
head -c 4096 /dev/zero | tr '\0' '\377' | dd of="$work/nan/model.safetensors" bs=1 seek=$((size - 4096)) conv=notrunc 2> /dev/null
rows=$("$cli" compare --workspace "$work/ws.amalgam" --format csv | wc -l)
expect_refusal 1 "outputs are not finite" "$work/nan" --data "$data" --out "$work/nan.json" --suite winobias --workspace "$work/ws.amalgam"
[ ! -e "$work/nan.json" ] || fail "results of a NaN model written"
set +e
"$cli" score "$work/nan" --context "The nurse" --continuation " said" > /dev/null 2> "$work/err"
status=$?
set -e
[ $status -eq 1 ] && grep -q "its outputs are not finite" "$work/err" || fail "score of a NaN model: status $status, $(cat "$work/err")"
set +e
"$cli" generate "$work/nan" --prompt "The nurse" > /dev/null 2> "$work/err"
status=$?
set -e
[ $status -eq 1 ] && grep -q "outputs are not finite" "$work/err" || fail "generate with a NaN model: status $status, $(cat "$work/err")"
[ "$("$cli" compare --workspace "$work/ws.amalgam" --format csv | wc -l)" -eq "$rows" ] || fail "results of a NaN model stored"
echo "eval CLI checks passed"
