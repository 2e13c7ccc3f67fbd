#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace amalgam {

/** Submits the batch script with `sbatch --parsable` and returns the job id. Throws
 *  std::runtime_error naming the script and sbatch's answer where it is refused. */
std::string submit_batch_script(const std::filesystem::path& script);

/** What Slurm says of each of `jobs`, in lower case (pending, running, completed, cancelled,
 *  failed, timeout, ...): squeue for the jobs the controller still holds, sacct for older ones.
 *  A job neither knows (accounting off, or no Slurm here) is left out. */
std::map<std::string, std::string> slurm_job_states(const std::vector<std::string>& jobs);

/** The command slurm_job_states asks squeue with first (its words, program first): every job
 *  of this user the controller holds, finished ones included, as "ID|STATE" lines. */
std::vector<std::string> squeue_states_command();
/** The states of `jobs` in squeue's or sacct's "ID|STATE" lines, in lower case ("CANCELLED by
 *  0" is "cancelled"); jobs the text does not name are left out. */
std::map<std::string, std::string> read_slurm_states(const std::string& text, const std::vector<std::string>& jobs);

/** The state of a run's job: Slurm's, from `states` (as slurm_job_states gives them), or where
 *  Slurm no longer knows the job, the run folder's: "completed" with its final adapter, "ended"
 *  without. */
std::string run_job_state(const std::map<std::string, std::string>& states, const std::string& job, const std::filesystem::path& run_dir);

/** How long to wait between two looks at Slurm's jobs: AMALGAM_SLURM_POLL_SECONDS, else 10 s. */
std::chrono::milliseconds slurm_poll_interval();

/** Whether a job in this state (lower case) will not run again: completed, cancelled, failed,
 *  timeout and the like, and "ended" (a job Slurm no longer knows). Pending and requeued jobs will. */
bool is_final_slurm_state(const std::string& state);

/** Cancels the job with scancel (its ranks get SIGTERM and checkpoint after their step);
 *  throws std::runtime_error with scancel's answer where it fails. */
void cancel_slurm_job(const std::string& job);

/** The Slurm job a run folder belongs to: the one `submit` recorded there, else the one its
 *  run.json names; nullopt for a run no job started. */
std::optional<std::string> slurm_job_of_run(const std::filesystem::path& run_dir);

/** Notes in the run folder the job `submit` got for it (RUN_DIR/slurm_job). */
void record_slurm_job(const std::filesystem::path& run_dir, const std::string& job);

}  // namespace amalgam
