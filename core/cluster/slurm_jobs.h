#pragma once

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

/** Cancels the job with scancel (its ranks get SIGTERM and checkpoint after their step);
 *  throws std::runtime_error with scancel's answer where it fails. */
void cancel_slurm_job(const std::string& job);

/** The Slurm job a run folder belongs to: the one `submit` recorded there, else the one its
 *  run.json names; nullopt for a run no job started. */
std::optional<std::string> slurm_job_of_run(const std::filesystem::path& run_dir);

/** Notes in the run folder the job `submit` got for it (RUN_DIR/slurm_job). */
void record_slurm_job(const std::filesystem::path& run_dir, const std::string& job);

}  // namespace amalgam
