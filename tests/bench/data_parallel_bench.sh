#!/usr/bin/env bash
# Data-parallel SFT on the CPU: tokens/s of one process (one thread, then two) against two
# ranks over Gloo (started with torchrun's variables), one thread each, at the same global batch (batch 4 x grad_accum
# 2 alone, batch 4 x 1 on each rank); and the share of a step the two ranks spend summing
# gradients (waiting for each other included). The small Llama preset, texts of about 250
# tokens, LoRA r 16 on q_proj and v_proj; figures of the last 4 of 8 steps.
# Then PPO (batch 4 prompts a rank, 16 new tokens, 4 steps) and eval (400 WinoGrande items
# from ../shared/data, where it is) in one process and as two ranks, one thread each.
#   tests/bench/data_parallel_bench.sh [build/app/amalgam-cli]
set -euo pipefail
cli=$(realpath "${1:-build/app/amalgam-cli}")
data=$(realpath ../shared/data 2> /dev/null || true)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$cli" model init --arch llama --preset small --out base > /dev/null
words=(the model answer question river bright seven quietly paper method)
text() { local t=""; while [ ${#t} -lt "$1" ]; do t+="${t:+ }${words[RANDOM % 10]}"; done; printf '%s' "$t"; }
RANDOM=1
for _ in $(seq 64); do printf '{"prompt": "%s", "response": "%s"}\n' "$(text 60)" "$(text 190)"; done > rows.jsonl
config() {  # grad_accum
  printf 'stage: sft\nmodel: base\ndata: rows.jsonl\nbatch_size: 4\ngrad_accum: %s\nmax_length: 256\nmax_steps: 8\nlog_every: 4\nsave_every: 8\nlora: {r: 16, alpha: 32, target_modules: [q_proj, v_proj]}\n' "$1"
}
config 2 > one.yaml
config 1 > two.yaml
last() { tail -1 "$1/metrics.jsonl" | grep -o "\"$2\":[0-9.e+-]*" | cut -d: -f2; }

OMP_NUM_THREADS=1 "$cli" train one.yaml --out one 2> /dev/null
OMP_NUM_THREADS=2 "$cli" train one.yaml --out threads 2> /dev/null
port=$((20000 + $$ % 20000))
ranks() {  # amalgam-cli's arguments, as two ranks of one thread each
  port=$((port + 1))
  for rank in 0 1; do
    RANK=$rank WORLD_SIZE=2 LOCAL_RANK=$rank MASTER_ADDR=127.0.0.1 MASTER_PORT=$port OMP_NUM_THREADS=1 "$cli" "$@" 2> /dev/null > /dev/null &
  done
  wait
}
ranks train two.yaml --out two
one=$(last one tokens_per_s)
two=$(last two tokens_per_s)
printf '1 process x 1 thread:  %8.0f tokens/s\n' "$one"
printf '1 process x 2 threads: %8.0f tokens/s  (%.2fx)\n' "$(last threads tokens_per_s)" "$(echo "$(last threads tokens_per_s) / $one" | bc -l)"
printf '2 ranks x 1 thread:    %8.0f tokens/s  (%.2fx)\n' "$two" "$(echo "$two / $one" | bc -l)"
printf 'all-reduce share of a step, 2 ranks: %.1f%%\n' "$(echo "$(last two reduce_share) * 100" | bc -l)"

# PPO against a reward model of 4 steps: tokens/s of the rollouts and updates, per step.
printf 'stage: rm\nmodel: base\ndata: pairs.jsonl\nbatch_size: 4\nmax_length: 256\nmax_steps: 4\nlora: {r: 8, alpha: 16}\n' > rm.yaml
for _ in $(seq 32); do printf '{"prompt": "%s", "chosen": "%s", "rejected": "%s"}\n' "$(text 60)" "$(text 60)" "$(text 60)"; done > pairs.jsonl
OMP_NUM_THREADS=1 "$cli" train rm.yaml --out rm 2> /dev/null
printf 'stage: ppo\nmodel: base\nreward: rm/adapter\ndata: pairs.jsonl\nbatch_size: 4\nmax_length: 256\nmax_steps: 4\nlog_every: 1\nlora: {r: 16, alpha: 32}\nppo: {new_tokens: [16, 16], mini_batch: 1, ppo_epochs: 2}\n' > ppo.yaml
OMP_NUM_THREADS=1 "$cli" train ppo.yaml --out ppo-one 2> /dev/null
ranks train ppo.yaml --out ppo-two
mean_last() { tail -"$2" "$1/metrics.jsonl" | grep -o "\"$3\":[0-9.e+-]*" | cut -d: -f2 | awk '{s += $1} END {print s / NR}'; }
ppo_one=$(mean_last ppo-one 2 tokens_per_s)
ppo_two=$(mean_last ppo-two 2 tokens_per_s)
printf 'PPO, 1 process x 1 thread:  %8.1f tokens/s (4 prompts a step)\n' "$ppo_one"
printf 'PPO, 2 ranks x 1 thread:    %8.1f tokens/s (8 prompts a step, %.2fx)\n' "$ppo_two" "$(echo "$ppo_two / $ppo_one" | bc -l)"

# Sharded evaluation: wall time of 400 WinoGrande items.
if [ -d "$data/winogrande" ]; then
  seconds() { local start=$(date +%s.%N); "$@" > /dev/null 2>&1; echo "$(date +%s.%N) - $start" | bc -l; }
  eval_one=$(seconds env OMP_NUM_THREADS=1 "$cli" eval base --data "$data" --suite winogrande --limit 400 --out one.json)
  eval_two=$(seconds ranks eval base --data "$data" --suite winogrande --limit 400 --out two.json)
  printf 'eval, 1 process x 1 thread: %6.1f s for 400 WinoGrande items\n' "$eval_one"
  printf 'eval, 2 ranks x 1 thread:   %6.1f s (%.2fx)\n' "$eval_two" "$(echo "$eval_one / $eval_two" | bc -l)"
else
  echo "eval: skipped (no ../shared/data/winogrande)"
fi
