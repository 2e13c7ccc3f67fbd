#!/usr/bin/env bash
# amalgam-cli submit: the batch script it writes, sbatch's answer read (a stand-in sbatch on
# PATH), a refusal named, and the job's first start training into the folder that holds the
# script, with the job id in run.json.
set -euo pipefail
cli=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$work"
"$cli" model init --arch llama --out base > /dev/null
printf 'stage: sft\nmodel: %s/base\ndata: %s/resources/examples/sft.jsonl\nmax_steps: 2\nbatch_size: 2\nmax_length: 64\n' "$work" "$src" > sft.yaml

"$cli" submit sft.yaml --out runs/sft --nodes 2 --gpus-per-node 4 --cpus-per-task 8 --mem 64G --partition gpu --time 2:00:00 \
  --sbatch-option "--qos=high" --dry-run > script.txt
for line in '#!/bin/bash' '#SBATCH --job-name=amalgam-sft' '#SBATCH --nodes=2' '#SBATCH --ntasks-per-node=4' '#SBATCH --gpus-per-node=4' \
            '#SBATCH --cpus-per-task=8' '#SBATCH --mem=64G' '#SBATCH --partition=gpu' '#SBATCH --time=2:00:00' \
            "#SBATCH --output=$work/runs/sft/slurm-%j.out" '#SBATCH --signal=USR1@120' '#SBATCH --requeue' '#SBATCH --qos=high' \
            "srun $cli train $work/sft.yaml --out $work/runs/sft --device cuda --resume" \
            'if [ $status -eq 75 ]; then scontrol requeue "$SLURM_JOB_ID"; fi'; do
  grep -qxF -- "$line" script.txt || fail "not in the script: $line
$(cat script.txt)"
done
[ ! -e runs ] || fail "--dry-run wrote something"

# sbatch answers with the job id (and the cluster's name after a ';').
mkdir bin
printf '#!/bin/sh\n[ "$1" = --parsable ] && [ -f "$2" ] && echo "4242;local"\n' > bin/sbatch
chmod +x bin/sbatch
PATH="$work/bin:$PATH" "$cli" submit sft.yaml --out runs/sft --tasks-per-node 2 > submitted.txt
grep -qxF "submitted job 4242: $work/runs/sft/job.sbatch" submitted.txt || fail "$(cat submitted.txt)"
grep -qxF '#SBATCH --ntasks-per-node=2' runs/sft/job.sbatch || fail "$(cat runs/sft/job.sbatch)"

# Refused: named, with the script left for the user to submit by hand.
printf '#!/bin/sh\necho "sbatch: error: invalid partition specified: nope"\nexit 1\n' > bin/sbatch
if PATH="$work/bin:$PATH" "$cli" submit sft.yaml --out runs/other --partition nope 2> refused.txt; then fail "a refusal passed"; fi
grep -qF "sbatch refused $work/runs/other/job.sbatch: sbatch: error: invalid partition specified: nope" refused.txt || fail "$(cat refused.txt)"

# The job's first start: one task trains into the folder that holds the script.
SLURM_JOB_ID=4242 "$cli" train sft.yaml --out runs/sft --resume 2> train.log || fail "$(cat train.log)"
grep -q '"slurm_job": "4242"' runs/sft/run.json || fail "$(cat runs/sft/run.json)"
[ -d runs/sft/adapter ] || fail "no adapter"
# --wait on a stand-in cluster (tests/slurm_standin: its sbatch runs the script in the
# background): the job's states, each metrics line and the steps as JSON lines, exit 0 at the end.
export STANDIN_SLURM_JOBS=$work/jobs AMALGAM_SLURM_POLL_SECONDS=0.1
mkdir "$STANDIN_SLURM_JOBS"
standin="$src/tests/slurm_standin"
printf 'stage: sft\nmodel: %s/base\ndata: %s/resources/examples/sft.jsonl\nmax_steps: 3\nbatch_size: 2\nmax_length: 64\nlog_every: 1\n' "$work" "$src" > three.yaml
PATH="$standin:$PATH" "$cli" submit three.yaml --out runs/waited --wait --progress json --workspace ws.amalgam > waited.jsonl 2> waited.err \
  || fail "--wait: $(cat waited.err)"
job=$(cat runs/waited/slurm_job)
grep -qxF "{\"cluster_job\":{\"job\":\"$job\",\"state\":\"running\"}}" waited.jsonl || fail "no running state: $(cat waited.jsonl)"
grep -qxF "{\"cluster_job\":{\"job\":\"$job\",\"state\":\"completed\"}}" waited.jsonl || fail "no end: $(cat waited.jsonl)"
[ "$(grep -c '^{"metrics":{"step":' waited.jsonl)" -eq 3 ] || fail "three metrics lines: $(cat waited.jsonl)"
grep -qxF '{"progress":{"stage":"train","done":3,"total":3}}' waited.jsonl || fail "steps: $(cat waited.jsonl)"
[ -d runs/waited/adapter ] || fail "no adapter"
"$cli" runs --workspace ws.amalgam --format csv | grep -q ",Slurm job $job: completed," || fail "$("$cli" runs --workspace ws.amalgam)"

# A job that is still running is followed, not submitted again; one that failed says where its output is.
echo RUNNING > "$STANDIN_SLURM_JOBS/6000"
mkdir -p runs/attached && echo 6000 > runs/attached/slurm_job
(for _ in $(seq 600); do grep -q "Slurm job 6000: running" attached.err 2> /dev/null && break; sleep 0.1; done
 echo FAILED > "$STANDIN_SLURM_JOBS/6000") &
if PATH="$standin:$PATH" "$cli" submit three.yaml --out runs/attached --wait 2> attached.err; then fail "a failed job passed"; fi
grep -qxF "Slurm job 6000: running" attached.err || fail "not followed: $(cat attached.err)"
grep -qF "Slurm job 6000 ended failed: see $work/runs/attached/slurm-6000.out" attached.err || fail "$(cat attached.err)"
[ ! -e runs/attached/job.sbatch ] || fail "submitted again"
echo "submit: checked"
