#pragma once

#include <string>
#include <vector>

namespace amalgam {

/** What a training run asks of Slurm, as `amalgam-cli submit` and the workbench name it. */
struct SlurmRequest {
    int nodes = 1;
    int tasks_per_node = 1;  ///< ranks on each node (with GPUs: one for each)
    int gpus_per_node = 0;
    int cpus_per_task = 0;   ///< 0: Slurm's default
    std::string mem, partition, time, account;
    std::vector<std::string> sbatch_options;  ///< further #SBATCH options, each as it is written
};

/** The batch script that runs `train` (its arguments after the word train, the run folder among
 *  them) as the request's ranks with srun. It resumes from the newest checkpoint whenever it
 *  starts; Slurm sends SIGUSR1 two minutes before the time limit, the ranks checkpoint and
 *  exit 75, and the script requeues the job. Its output goes to RUN_DIR/slurm-JOBID.out.
 *  Throws std::invalid_argument for a value that would break the script (a line break). */
std::string slurm_script(const SlurmRequest& request, const std::string& cli, const std::string& run_dir,
                         const std::vector<std::string>& train_arguments);

/** The files a submission puts in a run folder before the run starts. */
bool is_submission_file(const std::string& file_name);

/** `text` as one word of a POSIX shell. */
std::string shell_word(const std::string& text);

}  // namespace amalgam
