#!/usr/bin/env bash
# amalgam-cli submit on a one-node Slurm cluster this test starts (slurmctld, slurmd, munge on
# localhost, 2 CPUs): a 2-task CPU SFT runs to the end with the adapter of the same run started
# by torchrun's variables, a job requeued in its middle resumes and ends on the same bytes as a
# run never stopped, `runs` follows the jobs' states, `cancel` cancels one, and `submit --wait`
# follows one and cancels it when it is stopped. Skips (77),
# saying why, where there is no Slurm or no root to start it.
set -euo pipefail
cli=$1
src=$2
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "starting slurmd needs root"
for program in slurmctld slurmd munged sbatch squeue scontrol; do
  command -v "$program" > /dev/null || [ -x "/usr/sbin/$program" ] || skip "no $program (Debian: slurmctld slurmd slurm-client munge)"
done
work=$(mktemp -d)
cluster=$work/cluster
mkdir -p "$cluster/state" "$cluster/spool" "$cluster/log"
stop_cluster() {  # the daemons this test started, by their pid files, waited for
  local file pid
  for file in "$cluster/slurmd.pid" "$cluster/slurmctld.pid"; do
    [ -f "$file" ] || continue
    pid=$(cat "$file")
    kill "$pid" 2> /dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2> /dev/null || true
  done
  rm -rf "$work"
}
trap stop_cluster EXIT

# munge: a key where there is none, and the daemon where none runs.
if [ ! -f /etc/munge/munge.key ]; then
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2> /dev/null
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
fi
mkdir -p /run/munge && chown munge:munge /run/munge
pgrep -x munged > /dev/null || su -s /bin/sh munge -c /usr/sbin/munged || skip "munged did not start"
host=$(hostname -s)
port=$((16000 + $$ % 2000 * 2))
cat > "$cluster/slurm.conf" <<CONF
ClusterName=amalgamtest
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$cluster/state
SlurmdSpoolDir=$cluster/spool
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/log/ctld.log
SlurmdLogFile=$cluster/log/d.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$host CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
export SLURM_CONF=$cluster/slurm.conf
/usr/sbin/slurmctld -f "$SLURM_CONF" || skip "slurmctld did not start: $(tail -3 "$cluster/log/ctld.log" 2> /dev/null)"
/usr/sbin/slurmd -f "$SLURM_CONF" || skip "slurmd did not start: $(tail -3 "$cluster/log/d.log" 2> /dev/null)"
for _ in $(seq 60); do sinfo -h -o %T 2> /dev/null | grep -qx idle && break; sleep 0.5; done
sinfo -h -o %T | grep -qx idle || skip "the node did not come up: $(sinfo 2>&1; tail -3 "$cluster/log/d.log")"

cd "$work"
"$cli" model init --arch llama --out base > /dev/null
config() { printf 'stage: sft\nmodel: %s/base\ndata: %s/resources/examples/sft.jsonl\nmax_steps: %s\nbatch_size: 2\nmax_length: 64\nlog_every: 1\nsave_every: 1000\n' "$work" "$src" "$1"; }
config 6 > short.yaml
config 300 > long.yaml
direct() {  # config out: the same run as two ranks started by torchrun's variables
  local p=$((port + 2 + RANDOM % 100))
  for rank in 0 1; do
    RANK=$rank WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$p "$cli" train "$1" --out "$2" 2> "$2.$rank.log" &
  done
  wait
}
job_of() { sed -n 's/^submitted job \([0-9]*\): .*/\1/p' "$1"; }
wait_for_end() {  # job
  for _ in $(seq 600); do squeue -h -j "$1" 2> /dev/null | grep -q . || return 0; sleep 0.5; done
  fail "job $1 did not end: $(squeue; scontrol show job "$1")"
}
same_adapter() { cmp -s "$1/adapter/adapter_model.safetensors" "$2/adapter/adapter_model.safetensors" || fail "$1 and $2 differ"; }
export OMP_NUM_THREADS=1

state_of() {  # run: what `runs` says launched it
  "$cli" runs --workspace ws.amalgam --format csv | awk -F, -v run="$1" '$1 == run { print $9 }'
}

# A 2-task job to its end: the adapter of the same run started by torchrun. The workspace
# records it when it is submitted, and `runs` follows its state.
"$cli" submit short.yaml --out slurm --tasks-per-node 2 --workspace ws.amalgam > submitted.txt || fail "$(cat submitted.txt)"
job=$(job_of submitted.txt)
[ -n "$job" ] || fail "no job id: $(cat submitted.txt)"
[ "$(cat slurm/slurm_job)" = "$job" ] || fail "the job id in the run folder: $(ls slurm)"
state_of slurm | grep -Eqx "Slurm job $job: (pending|configuring|running|completing|completed)" || fail "runs: $(state_of slurm)"
wait_for_end "$job"
[ "$(state_of slurm)" = "Slurm job $job: completed" ] || fail "runs after the end: $(state_of slurm)"
grep -q "trained 6 steps" slurm/slurm-"$job".out || fail "$(cat slurm/slurm-*.out)"
grep -q "\"slurm_job\": \"$job\"" slurm/run.json || fail "$(cat slurm/run.json)"
grep -q '"launcher": "slurm"' slurm/run.json || fail "$(cat slurm/run.json)"
direct short.yaml direct
same_adapter slurm direct

# Requeued in its middle: the ranks checkpoint and stop, the job starts again and resumes.
"$cli" submit long.yaml --out requeued --tasks-per-node 2 > submitted.txt || fail "$(cat submitted.txt)"
job=$(job_of submitted.txt)
for _ in $(seq 600); do [ "$(cat requeued/metrics.jsonl 2> /dev/null | wc -l)" -ge 10 ] && break; sleep 0.1; done
scontrol requeue "$job"
# Slurm holds a requeued job back for a while (its begin time); this test does not wait for that.
for _ in $(seq 100); do
  squeue -h -j "$job" -o %r 2> /dev/null | grep -q BeginTime && scontrol update JobId="$job" StartTime=now 2> /dev/null && break
  sleep 0.2
done
wait_for_end "$job"
grep -q "stopped at step [0-9]* of 300 when asked (checkpointed)" requeued/slurm-"$job".out || fail "not stopped: $(cat requeued/slurm-*.out)"
grep -q "trained 300 steps" requeued/slurm-"$job".out || fail "not resumed: $(cat requeued/slurm-*.out)"
direct long.yaml straight
same_adapter requeued straight

# Cancelled: scancel through the run folder; the ranks stop checkpointed and the job is cancelled.
"$cli" submit long.yaml --out cancelled --tasks-per-node 2 --workspace ws.amalgam > submitted.txt || fail "$(cat submitted.txt)"
job=$(job_of submitted.txt)
for _ in $(seq 600); do [ "$(cat cancelled/metrics.jsonl 2> /dev/null | wc -l)" -ge 5 ] && break; sleep 0.1; done
[ "$(state_of cancelled)" = "Slurm job $job: running" ] || fail "runs while it runs: $(state_of cancelled)"
"$cli" cancel cancelled | grep -qx "cancelled Slurm job $job (cancelled)" || fail "cancel"
wait_for_end "$job"
[ "$(state_of cancelled)" = "Slurm job $job: cancelled" ] || fail "runs after scancel: $(state_of cancelled)"
ls cancelled/checkpoints | grep -q '^step-' || fail "no checkpoint at the cancel: $(cat cancelled/slurm-*.out)"
# Followed with --wait (as the workbench does): the states and steps as JSON lines; SIGTERM to
# the follower (the workbench's Cancel) cancels the job.
AMALGAM_SLURM_POLL_SECONDS=0.2 "$cli" submit long.yaml --out waited --tasks-per-node 2 --wait --progress json > waited.jsonl 2> waited.err &
follower=$!
for _ in $(seq 600); do [ "$(grep -c '"metrics"' waited.jsonl)" -ge 3 ] && break; sleep 0.1; done
job=$(cat waited/slurm_job)
grep -qxF "{\"cluster_job\":{\"job\":\"$job\",\"state\":\"running\"}}" waited.jsonl || fail "--wait: $(cat waited.jsonl waited.err)"
kill -TERM "$follower"
if wait "$follower"; then fail "a cancelled job's follower ended well"; fi
grep -qF "Slurm job $job ended cancelled: see $work/waited/slurm-$job.out" waited.err || fail "$(cat waited.err)"
[ "$(squeue -h -t all -j "$job" -o %T)" = CANCELLED ] || fail "not cancelled: $(squeue -t all -j "$job")"

set +e
"$cli" cancel base 2> err.txt
status=$?
set -e
[ $status -eq 1 ] && grep -q "base: no Slurm job started this run" err.txt || fail "cancel of a folder no job started: $(cat err.txt)"
echo "slurm: checked"
