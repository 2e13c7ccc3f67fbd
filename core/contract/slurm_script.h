#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/contract/precision.h"

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

/** The request as `amalgam-cli submit` takes it: its flags, each where it says more than the default. */
std::vector<std::string> submit_flags(const SlurmRequest& request);

/** The request as the workspace keeps it (a job's options, the workbench's settings), and back;
 *  reading names a field that is missing or of the wrong type (std::invalid_argument). */
nlohmann::json slurm_request_json(const SlurmRequest& request);
SlurmRequest slurm_request_from_json(const nlohmann::json& json);

/** What the script's ranks run after the word train: the config, the run folder, cuda where the
 *  request has GPUs, the type where it is not auto, and the workspace where there is one. */
std::vector<std::string> submitted_train_arguments(const std::string& config, const std::string& run_dir, const SlurmRequest& request,
                                                   Precision precision, const std::string& workspace);

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
