#!/usr/bin/env bash
# amalgam-cli model init / model info / generate / score, wired end to end.
set -euo pipefail
cli=$1
src=$2
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

# Every decoder family: init writes it, info names its family and the features it uses.
info_has() {  # ARCH TEXT...
  local arch=$1
  shift
  "$cli" model init --arch "$arch" --out "$work/$arch" > /dev/null
  "$cli" model info "$work/$arch" > "$work/info"
  for text in "$@"; do grep -qF -- "$text" "$work/info" || fail "model info of $arch lacks '$text': $(cat "$work/info")"; done
}
info_has qwen3 "Qwen3ForCausalLM (model_type qwen3, llama family)" "feature:       q/k RMSNorm per head" "head_dim 32"
info_has mistral "feature:       sliding window 4 on 2 of 2 layers"
info_has gemma2 "RMSNorm (1 + w)" "embeddings scaled by sqrt(hidden size)" "norms before and after attention and MLP" \
  "query_pre_attn_scalar 24" "attention logit soft-capping 50" "final logit soft-capping 30" "sliding window 4 on 1 of 2 layers" \
  "MLP GeGLU (gelu tanh)"
info_has gemma3 "Gemma3ForCausalLM (model_type gemma3_text" "RoPE linear (theta 1e+06, factor 8)" "sliding layers' RoPE default (theta 10000)"
info_has phi3 "fused qkv_proj and gate_up_proj" "RoPE longrope (theta 10000, factor 2, attention factor 1.0" "partial rotary: 12 of 16 head dimensions"
info_has olmo2 "norms after attention and MLP" "q/k RMSNorm whole projection"
info_has smollm3 "no RoPE (NoPE) on layers 1"
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

# generate --data: a line a prompt, in the file's order, whatever the batch; a seed repeats.
examples=$src/resources/examples/sft.jsonl
"$cli" generate "$work/llama" --data "$examples" --max-new-tokens 6 --batch 4 --out "$work/batched.jsonl" 2> "$work/err"
grep -q "wrote 6 responses to $work/batched.jsonl" "$work/err" || fail "generate --data: $(cat "$work/err")"
[ "$(grep -c '"stop_reason":"length","new_tokens":6}$' "$work/batched.jsonl")" -eq 6 ] || fail "rows: $(cat "$work/batched.jsonl")"
[ "$(grep -o '"line":[0-9]*' "$work/batched.jsonl" | tr '\n' ' ')" == '"line":1 "line":2 "line":3 "line":4 "line":5 "line":6 ' ] \
  || fail "lines: $(cat "$work/batched.jsonl")"
head -1 "$work/batched.jsonl" | grep -q '^{"prompt":"Rewrite the sentence in the passive voice.\\n\\nThe cat chased the mouse.","line":1,"response":' \
  || fail "first row: $(head -1 "$work/batched.jsonl")"
"$cli" generate "$work/llama" --data "$examples" --max-new-tokens 6 --batch 1 > "$work/one-by-one.jsonl" 2> /dev/null
cmp -s "$work/batched.jsonl" "$work/one-by-one.jsonl" || fail "greedy answers depend on the batch"
for seed in 5 5 6; do
  "$cli" generate "$work/llama" --data "$examples" --max-new-tokens 6 --temperature 1 --seed $seed > "$work/sampled-$seed.jsonl" 2> /dev/null
done
cmp -s "$work/sampled-5.jsonl" "$work/sampled-6.jsonl" && fail "seeds 5 and 6 sampled the same"
"$cli" generate "$work/llama" --data "$examples" --max-new-tokens 6 --temperature 1 --seed 5 | cmp -s - "$work/sampled-5.jsonl" \
  || fail "seed 5 sampled differently the second time"
refused 2 "--template must be chat, or contain {prompt} and, after it, {response}" generate "$work/llama" --data "$examples" --template "{response}"
# --template chat: the model's own template; a folder without one keeps the default, and a
# template that does not parse is named with its line.
"$cli" generate "$work/llama" --data "$examples" --max-new-tokens 6 --batch 1 --template chat 2> /dev/null | cmp -s - "$work/one-by-one.jsonl" \
  || fail "--template chat on a model without a chat template did not keep the default"
"$cli" model init --arch qwen3 --chat --out "$work/chat" > /dev/null
"$cli" model info "$work/chat" | grep -q "tokenizer: *byte-level BPE, 259 tokens" || fail "--chat adds ChatML's two markers"
grep -q '"chat_template": "{% for message in messages %}' "$work/chat/tokenizer_config.json" || fail "--chat writes the template"
"$cli" generate "$work/chat" --data "$examples" --max-new-tokens 6 --template chat > "$work/chat.jsonl" 2> "$work/err" || fail "chat: $(cat "$work/err")"
[ "$(wc -l < "$work/chat.jsonl")" -eq 6 ] || fail "generate --template chat: $(cat "$work/chat.jsonl")"
"$cli" generate "$work/chat" --data "$examples" --max-new-tokens 6 > "$work/plain.jsonl" 2> /dev/null
cmp -s "$work/chat.jsonl" "$work/plain.jsonl" && fail "the chat template changed nothing"
refused 1 "a chat template comes with the built-in byte tokenizer" model init --arch qwen3 --chat --tokenizer "$work/chat" --out "$work/no"
# --tokenizer DIR brings the chat template beside the tokenizer.
"$cli" model init --arch llama --tokenizer "$work/chat" --out "$work/chat-llama" > /dev/null
cmp -s "$work/chat/tokenizer_config.json" "$work/chat-llama/tokenizer_config.json" || fail "--tokenizer left tokenizer_config.json behind"
"$cli" generate "$work/chat-llama" --data "$examples" --max-new-tokens 6 --template chat > /dev/null 2> "$work/err" || fail "chat-llama: $(cat "$work/err")"
printf '{"chat_template": "{%% for m in messages %%}\\n{%% if %%}"}' > "$work/qwen3/tokenizer_config.json"
refused 1 "tokenizer_config.json (chat_template):2: an expression is missing" generate "$work/qwen3" --data "$examples" --template chat
refused 2 "generate needs either --prompt TEXT or --data FILE" generate "$work/llama" --prompt Hi --data "$examples"
refused 2 "--batch goes with --data" generate "$work/llama" --prompt Hi --batch 2
refused 1 "sft.jsonl: no prompt leaves room for 600 new tokens in the model's context of 512 positions" \
  generate "$work/llama" --data "$examples" --max-new-tokens 600 --out "$work/none.jsonl"
[ ! -e "$work/none.jsonl" ] || fail "a refused generate --data left $work/none.jsonl"
printf '{"prompt": "fine"}\n{"prompt": 3}\n' > "$work/bad.jsonl"
refused 1 "bad.jsonl:2: field 'prompt' must be text" generate "$work/llama" --data "$work/bad.jsonl"
echo "model CLI checks passed"
