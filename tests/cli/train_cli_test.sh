#!/usr/bin/env bash
# amalgam-cli train end to end: every stage on a tiny model from the example data, the
# adapters evaluated, runs stopped, killed and resumed to the same bytes, errors at their line.
set -euo pipefail
cli=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
examples="$src/resources/examples"

"$cli" model init --arch llama --out "$work/base" --seed 4 > /dev/null

config() {  # stage data steps [extra yaml]
  cat <<YAML
stage: $1
model: base
data: $2
lora: {r: 4, alpha: 8, dropout: 0.1}
optimizer: {lr: 2.0e-3, schedule: cosine, warmup_steps: 2}
batch_size: 4
max_length: 128
max_steps: $3
save_every: 4
log_every: 2
${4:-}
YAML
}
config sft "$examples/sft.jsonl" 12 > "$work/sft.yaml"
config rm "$examples/pairwise.jsonl" 8 "adapter: sft/adapter" > "$work/rm.yaml"
config dpo "$examples/pairwise.jsonl" 8 "adapter: sft/adapter
dpo: {beta: 0.1, precompute_reference: true}" > "$work/dpo.yaml"
cd "$work"

# SFT, then the reward model and DPO from it; each adapter loads where adapters load.
"$cli" train sft.yaml --out sft --workspace ws.amalgam 2> sft.log || fail "sft: $(cat sft.log)"
grep -q 'trained 12 steps' sft.log || fail "sft summary: $(cat sft.log)"
[ "$(wc -l < sft/metrics.jsonl)" -eq 6 ] || fail "6 logged steps expected"
grep -q '"step":12,"epoch":[0-9.]*,"loss":[0-9.]*,"mean_token_accuracy":[0-9.e-]*,"lr":[0-9.e-]*,"grad_norm":[0-9.e-]*,"tokens_per_s":' sft/metrics.jsonl \
  || fail "sft metrics: $(tail -1 sft/metrics.jsonl)"
ls sft/checkpoints | tr '\n' ' ' | grep -qx 'step-12 step-8 ' || fail "the newest two checkpoints: $(ls sft/checkpoints)"
"$cli" eval base --adapter sft/adapter --data "$examples" --suite winogrande --out sft-eval.json > /dev/null
grep -q '"winogrande": 8' sft-eval.json || fail "eval with the SFT adapter"

"$cli" train rm.yaml --out rm --progress json --workspace ws.amalgam > rm.out 2> rm.log || fail "rm: $(cat rm.log)"
grep -q '^{"metrics":{"step":8,.*"accuracy":.*"margin":.*"mean_reward":' rm.out || fail "rm metrics: $(cat rm.out)"
[ "$(head -1 rm.out)" = '{"plan":[{"stage":"train","total":8,"work":8.0}]}' ] || fail "the plan first: $(head -3 rm.out)"
grep -q '"task_type": "SEQ_CLS"' rm/adapter/adapter_config.json || fail "a reward adapter is a sequence classifier"
"$cli" model merge base --adapter sft/adapter --out sft-merged > /dev/null
"$cli" generate sft-merged --adapter rm/adapter --prompt "Hi" --max-new-tokens 2 > /dev/null || fail "the reward adapter loads"
"$cli" score sft-merged --adapter rm/adapter --context "Question: Hi" --continuation " there" | grep -q '"reward":-\?[0-9]' \
  || fail "score gives a reward model's reward"

"$cli" train dpo.yaml --out dpo 2> dpo.log || fail "dpo: $(cat dpo.log)"
[ -s dpo/reference_logps.safetensors ] || fail "the precomputed reference is stored in the run"
head -1 dpo/metrics.jsonl | grep -q '"rewards/accuracies":.*"rewards/margins":.*"logps/chosen":.*"logps/rejected":' || fail "dpo metrics"
"$cli" eval sft-merged --adapter dpo/adapter --data "$examples" --suite winobias --out dpo-eval.json > /dev/null
grep -q '"winobias_pairs": 8' dpo-eval.json || fail "eval with the DPO adapter"

# PPO from the SFT policy against the reward model, evaluated on the example suites every two
# steps, each evaluation also stored in a workspace as a row of the comparison table.
config ppo "$examples/pairwise.jsonl" 4 "adapter: sft/adapter
reward: rm/adapter
eval_data: $examples
eval_every: 2
ppo: {new_tokens: [4, 8], mini_batch: 2, ppo_epochs: 2, sample_every: 2}" > ppo.yaml
"$cli" train ppo.yaml --out ppo --workspace ws.amalgam 2> ppo.log || fail "ppo: $(cat ppo.log)"
grep -q '"objective/scores":.*"kl_coef":.*"generation_share":' ppo/metrics.jsonl || fail "ppo metrics: $(tail -1 ppo/metrics.jsonl)"
[ "$(grep -c '"eval/bias":' ppo/metrics.jsonl)" = 2 ] || fail "ppo evaluation lines: $(cat ppo/metrics.jsonl)"
[ -s ppo/evals/step-2/results.json ] && [ -s ppo/evals/step-4/results.json ] && [ -s ppo/samples.jsonl ] \
  && [ -s ppo/adapter/value_head.safetensors ] || fail "ppo outputs"
"$cli" compare --workspace ws.amalgam --format csv --resamples 10 | cut -d, -f1 | tr '\n' ' ' > rows.txt
grep -q "ppo @ step 2 ppo @ step 4 " rows.txt || fail "the evaluations by step in the workspace: $(cat rows.txt)"
"$cli" compare --workspace ws.amalgam --format csv --resamples 10 --last-steps | cut -d, -f1 | tr '\n' ' ' > rows.txt
[ "$(cat rows.txt)" = "model ppo @ step 4 best " ] || fail "the run's last step alone: $(cat rows.txt)"
# The runs of the command line, recorded in the workspace with their lineage.
"$cli" runs --workspace ws.amalgam > runs.md
sft_sha=$(sha256sum "$examples/sft.jsonl" | cut -c1-12)
pairs_sha=$(sha256sum "$examples/pairwise.jsonl" | cut -c1-12)
[ "$(head -2 runs.md)" = "| run | stage | steps | adapter | from | reward model | data | sha256 | launched by | folder |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |" ] || fail "runs header: $(cat runs.md)"
[ "$(sed -n 3,5p runs.md | cut -d'|' -f2-10 | sed 's/ $//')" = " sft | sft | 12 / 12 | yes |  |  | sft.jsonl | $sft_sha | command line
 rm | rm | 8 / 8 | yes | sft |  | pairwise.jsonl | $pairs_sha | command line
 ppo | ppo | 4 / 4 | yes | sft | rm | pairwise.jsonl | $pairs_sha | command line" ] || fail "runs: $(cat runs.md)"
[ "$(wc -l < runs.md)" -eq 5 ] || fail "three runs: $(cat runs.md)"
"$cli" eval sft-merged --adapter ppo/adapter --data "$examples" --suite winogrande --out ppo-eval.json > /dev/null
grep -q '"winogrande": 8' ppo-eval.json || fail "eval with the PPO adapter"

# Merged equals adapted: the same log-probabilities from the merged folder.
a=$("$cli" score base --adapter sft/adapter --context "Question: hi" --continuation " there" | grep -o '"total":[-0-9.e]*' | cut -d: -f2)
b=$("$cli" score sft-merged --context "Question: hi" --continuation " there" | grep -o '"total":[-0-9.e]*' | cut -d: -f2)
awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; exit !(d < 1e-4 && d > -1e-4) }' || fail "merged $b, adapted $a"

# Stopped with --max-steps, then resumed: the same adapter to the byte.
"$cli" train sft.yaml --out stopped --max-steps 5 2> stop.log
grep -q 'stopped at step 5 of 12' stop.log || fail "stop: $(cat stop.log)"
[ ! -e stopped/adapter ] || fail "a stopped run has no final adapter"
"$cli" train sft.yaml --out stopped --resume 2> /dev/null
cmp -s sft/adapter/adapter_model.safetensors stopped/adapter/adapter_model.safetensors || fail "stopped and resumed differs"

# Killed with SIGKILL at several moments, then resumed: the same adapter to the byte.
config sft "$examples/sft.jsonl" 80 "save_every: 3" | grep -v '^save_every: 4' > long.yaml
"$cli" train long.yaml --out long 2> /dev/null
for delay in 0.1 0.3 0.5 0.7; do
  rm -rf killed
  "$cli" train long.yaml --out killed --progress json > /dev/null 2>&1 &
  pid=$!
  sleep $delay
  kill -9 $pid 2> /dev/null || true
  wait $pid 2> /dev/null || true
  "$cli" train long.yaml --out killed --resume 2> /dev/null || fail "resume after a kill at ${delay}s"
  cmp -s long/adapter/adapter_model.safetensors killed/adapter/adapter_model.safetensors || fail "killed at ${delay}s and resumed differs"
done
# Killed while run.json was being written: the folder holds only its temporary file.
rm -rf killed && mkdir killed
sh -c 'exit 0' & dead=$!
wait $dead
echo '{"half": ' > "killed/run.json.tmp.$dead"
"$cli" train long.yaml --out killed --resume 2> resume.log || fail "resume after a kill inside run.json's write: $(cat resume.log)"
cmp -s long/adapter/adapter_model.safetensors killed/adapter/adapter_model.safetensors || fail "killed inside run.json's write and resumed differs"

# PPO killed with SIGKILL after 1, 4, 7 and 10 of its 20 logged lines, then resumed: the same
# policy adapter and value head to the byte.
config ppo "$examples/pairwise.jsonl" 40 "adapter: sft/adapter
reward: rm/adapter
save_every: 3
ppo: {new_tokens: [4, 8], mini_batch: 2, ppo_epochs: 2}" | grep -v '^save_every: 4' > ppo-long.yaml
"$cli" train ppo-long.yaml --out ppo-long 2> /dev/null
for lines in 1 4 7 10; do
  rm -rf ppo-killed
  "$cli" train ppo-long.yaml --out ppo-killed > /dev/null 2>&1 &
  pid=$!
  until [ "$(cat ppo-killed/metrics.jsonl 2> /dev/null | wc -l)" -ge $lines ] || ! kill -0 $pid 2> /dev/null; do sleep 0.02; done
  kill -9 $pid 2> /dev/null || true
  wait $pid 2> /dev/null || true
  [ ! -e ppo-killed/adapter ] || fail "the kill after $lines logged lines came after the run's end"
  "$cli" train ppo-long.yaml --out ppo-killed --resume 2> /dev/null || fail "ppo resume after a kill after $lines lines"
  for file in adapter_model.safetensors value_head.safetensors; do
    cmp -s ppo-long/adapter/$file ppo-killed/adapter/$file || fail "ppo killed after $lines lines and resumed: $file differs"
  done
done

# Errors: the config's line, the data's line, a run folder in use.
printf 'stage: sft\nmodel: base\ndata: %s\noptimizer:\n  lr: fast\n' "$examples/sft.jsonl" > bad.yaml
set +e
"$cli" train bad.yaml --out bad 2> bad.log; status=$?
set -e
[ $status -eq 1 ] || fail "exit status $status for a bad config"
grep -q 'bad.yaml:5: optimizer.lr: must be a number' bad.log || fail "config error: $(cat bad.log)"
printf '{"prompt": "p", "chosen": "c"}\n' > pairs.jsonl
config rm pairs.jsonl 2 > rm-bad.yaml
"$cli" train rm-bad.yaml --out rm-bad --workspace ws.amalgam 2> rm-bad.log && fail "a pair without rejected was accepted"
grep -q 'pairs.jsonl:1: missing field .rejected.' rm-bad.log || fail "data error: $(cat rm-bad.log)"
[ ! -e rm-bad ] || fail "a run that could not start left a folder behind"
! "$cli" runs --workspace ws.amalgam | grep -q rm-bad || fail "a run that could not start was recorded"
"$cli" train sft.yaml --out sft 2> again.log && fail "a finished run was overwritten"
grep -q 'already holds a run' again.log || fail "run folder in use: $(cat again.log)"

"$cli" train sft.yaml --estimate > estimate.txt
grep -q '^expected peak memory: ' estimate.txt && grep -q '^expected time per step: ' estimate.txt || fail "estimate: $(cat estimate.txt)"
! grep -q '^warning:' estimate.txt || fail "the tiny model fits: $(cat estimate.txt)"
# A 70B shape (its config alone: the estimate reads no weights) does not fit in this machine's memory.
mkdir huge && sed -e 's/"hidden_size": 64/"hidden_size": 8192/' -e 's/"intermediate_size": 172/"intermediate_size": 28672/' \
  -e 's/"num_hidden_layers": 2/"num_hidden_layers": 80/' -e 's/"vocab_size": 257/"vocab_size": 128256/' base/config.json > huge/config.json
sed 's|^model: base|model: huge|' sft.yaml > huge.yaml
"$cli" train huge.yaml --estimate > huge.txt
grep -q '^warning: the expected peak of [0-9.]* GiB exceeds the [0-9.]* [GM]iB free on cpu$' huge.txt || fail "no memory warning: $(cat huge.txt)"
# Trained, that shape is refused before anything loads or is written: it cannot fit twice over.
"$cli" train huge.yaml --out huge-run 2> huge-run.log && fail "a run far beyond the memory started"
grep -q 'is more than twice the .* free on cpu: lower batch_size or max_length' huge-run.log || fail "refusal: $(cat huge-run.log)"
[ ! -e huge-run ] || fail "a refused run left a folder behind"
echo "train CLI checks passed"
