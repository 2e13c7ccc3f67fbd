// amalgam-cli submit and cancel: a training run as a Slurm batch job, and its end.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "arguments.h"
#include "commands.h"
#include "core/cluster/slurm_jobs.h"
#include "core/contract/slurm_script.h"
#include "core/util/atomic_file.h"
#include "run_record.h"

namespace amalgam::cli {

const char* const kSubmitUsage = R"(usage: amalgam-cli submit CONFIG.yaml --out RUN_DIR [options]

Writes RUN_DIR/job.sbatch, a Slurm batch script that runs `amalgam-cli train CONFIG.yaml
--out RUN_DIR --resume` as srun's ranks (data-parallel over c10d), and submits it with
sbatch --parsable. Slurm sends SIGUSR1 two minutes before the time limit: the ranks
checkpoint and exit 75, the script requeues the job, and it resumes by itself. The job's
output goes to RUN_DIR/slurm-JOBID.out; RUN_DIR/slurm_job and run.json record the job id.
The config is read and checked here, before anything is submitted.

`amalgam-cli runs` shows the job's state and `amalgam-cli cancel RUN_DIR` cancels it.

options:
  --nodes N           nodes (default 1)
  --tasks-per-node T  ranks on each node (default: --gpus-per-node, or 1)
  --gpus-per-node G   GPUs on each node, one rank each; the ranks train on cuda
  --cpus-per-task C   cores of each rank
  --mem M             memory of each node (Slurm's spelling: 64G)
  --partition P, --time T, --account A
                      as sbatch takes them
  --sbatch-option O   one more #SBATCH line, as written ("--qos=high")
  --workspace FILE    record the run, with its job id, in this workspace now
  --dry-run           print the script and submit nothing
)";

const char* const kCancelUsage = R"(usage: amalgam-cli cancel RUN_DIR

Cancels the Slurm job of a run folder (the one `submit` recorded, or the one its run.json
names) with scancel. Its ranks get SIGTERM and stop after their step, checkpointed when
Slurm's kill wait allows; `submit` of the same config and folder resumes it.
)";

namespace {

namespace fs = std::filesystem;

/** The path of this amalgam-cli, so that the job runs the same build (on a shared file system). */
std::string this_program() {
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    return error ? "amalgam-cli" : self.string();
}

}  // namespace

int run_submit(const std::vector<std::string>& words) {
    Arguments args(words,
                   {"out", "nodes", "tasks-per-node", "gpus-per-node", "cpus-per-task", "mem", "partition", "time", "account", "sbatch-option",
                    "workspace"},
                   {"dry-run"});
    if (args.positional().size() != 1) throw UsageError("submit takes one config file");
    const auto out = args.option("out");
    if (!out) throw UsageError("submit needs --out RUN_DIR");
    SlurmRequest request;
    request.nodes = static_cast<int>(args.integer_in("nodes", 1, 1, 100000));
    request.gpus_per_node = static_cast<int>(args.integer_in("gpus-per-node", 0, 0, 1024));
    request.tasks_per_node = static_cast<int>(args.integer_in("tasks-per-node", std::max(1, request.gpus_per_node), 1, 1024));
    request.cpus_per_task = static_cast<int>(args.integer_in("cpus-per-task", 0, 0, 100000));
    request.mem = args.option("mem").value_or("");
    request.partition = args.option("partition").value_or("");
    request.time = args.option("time").value_or("");
    request.account = args.option("account").value_or("");
    if (auto extra = args.option("sbatch-option")) request.sbatch_options.push_back(*extra);

    const fs::path config_file = fs::absolute(args.positional()[0]).lexically_normal();
    const TrainConfig config = read_config(config_file);
    const fs::path run_dir = fs::absolute(*out).lexically_normal();
    std::vector<std::string> train = {config_file.string(), "--out", run_dir.string()};
    if (request.gpus_per_node > 0) train.insert(train.end(), {"--device", "cuda"});
    if (auto w = args.option("workspace")) train.insert(train.end(), {"--workspace", fs::absolute(*w).lexically_normal().string()});
    std::string script;
    try {
        script = slurm_script(request, this_program(), run_dir.string(), train);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    if (args.flag("dry-run")) {
        std::fputs(script.c_str(), stdout);
        return 0;
    }
    // The workspace is opened (and so checked) before anything is submitted.
    std::unique_ptr<Workspace> workspace;
    if (auto w = args.option("workspace")) workspace = std::make_unique<Workspace>(*w);
    fs::create_directories(run_dir);
    const fs::path file = run_dir / "job.sbatch";
    write_file_atomically(file, script);
    const std::string job = submit_batch_script(file);
    record_slurm_job(run_dir, job);
    if (workspace) recorded_run(*workspace, run_dir, config, Device{request.gpus_per_node > 0 ? DeviceKind::Cuda : DeviceKind::Cpu}, Precision::Auto, job);
    std::printf("submitted job %s: %s\n", job.c_str(), file.c_str());
    return 0;
}

int run_cancel(const std::vector<std::string>& words) {
    Arguments args(words, {}, {});
    if (args.positional().size() != 1) throw UsageError("cancel takes one run folder");
    const fs::path run_dir = args.positional()[0];
    if (!fs::is_directory(run_dir)) throw std::runtime_error(run_dir.string() + ": no such run folder");
    const std::optional<std::string> job = slurm_job_of_run(run_dir);
    if (!job) throw std::runtime_error(run_dir.string() + ": no Slurm job started this run (no slurm_job file, and run.json names none)");
    cancel_slurm_job(*job);
    std::printf("cancelled Slurm job %s (%s)\n", job->c_str(), run_dir.c_str());
    return 0;
}

}  // namespace amalgam::cli
