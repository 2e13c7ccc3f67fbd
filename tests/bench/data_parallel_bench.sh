#!/usr/bin/env bash
# Data-parallel SFT on the CPU: tokens/s of one process (one thread, then two) against two
# ranks over Gloo (started with torchrun's variables), one thread each, at the same global batch (batch 4 x grad_accum
# 2 alone, batch 4 x 1 on each rank); and the share of a step the two ranks spend summing
# gradients (waiting for each other included). The small Llama preset, texts of about 250
# tokens, LoRA r 16 on q_proj and v_proj; figures of the last 4 of 8 steps.
#   tests/bench/data_parallel_bench.sh [build/app/amalgam-cli]
set -euo pipefail
cli=$(realpath "${1:-build/app/amalgam-cli}")
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
for rank in 0 1; do
  RANK=$rank WORLD_SIZE=2 LOCAL_RANK=$rank MASTER_ADDR=127.0.0.1 MASTER_PORT=$port OMP_NUM_THREADS=1 "$cli" train two.yaml --out two 2> /dev/null &
done
wait
one=$(last one tokens_per_s)
two=$(last two tokens_per_s)
printf '1 process x 1 thread:  %8.0f tokens/s\n' "$one"
printf '1 process x 2 threads: %8.0f tokens/s  (%.2fx)\n' "$(last threads tokens_per_s)" "$(echo "$(last threads tokens_per_s) / $one" | bc -l)"
printf '2 ranks x 1 thread:    %8.0f tokens/s  (%.2fx)\n' "$two" "$(echo "$two / $one" | bc -l)"
printf 'all-reduce share of a step, 2 ranks: %.1f%%\n' "$(echo "$(last two reduce_share) * 100" | bc -l)"
