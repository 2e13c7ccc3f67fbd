// amalgam-cli submit and cancel: a training run as a Slurm batch job, and its end.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "arguments.h"
#include "commands.h"
#include "core/cluster/slurm_jobs.h"
#include "core/contract/slurm_script.h"
#include "core/util/atomic_file.h"
#include "json_lines_progress.h"
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
  --dtype TYPE        the frozen base's precision on the ranks (default auto)
  --workspace FILE    record the run, with its job id, in this workspace now
  --wait              follow the job to its end: its state as it changes, the run's steps
                      and metrics, exit 0 once it completed with its adapter. SIGTERM cancels
                      the job. Where RUN_DIR's job is still pending or running, it is
                      followed rather than submitted again
  --progress STYLE    with --wait: bar (default) or json (one JSON object a line: the
                      state, the steps and each metrics line, for the workbench)
  --dry-run           print the script and submit nothing
)";

const char* const kCancelUsage = R"(usage: amalgam-cli cancel RUN_DIR

Cancels the Slurm job of a run folder (the one `submit` recorded, or the one its run.json
names) with scancel. Its ranks get SIGTERM and stop after their step, checkpointed when
Slurm's kill wait allows; `submit` of the same config and folder resumes it.
)";

namespace {

namespace fs = std::filesystem;

std::atomic<int> cancel_request{0};
extern "C" void request_cancel(int signal) { cancel_request.store(signal); }

std::string state_of(const std::string& job, const fs::path& run_dir) { return run_job_state(slurm_job_states({job}), job, run_dir); }

/** Follows the job until it ends: its state whenever it changes, and each new line of the run's
 *  metrics.jsonl (its steps as progress; with json, the line itself). SIGTERM cancels the job. */
int follow(const std::string& job, const fs::path& run_dir, const TrainConfig& config, const std::optional<std::string>& style) {
    const bool json = style == std::optional<std::string>("json");
    const std::unique_ptr<Progress> progress = make_progress(style);
    const auto total = static_cast<std::size_t>(config.max_steps.value_or(0));
    progress->plan({{kTrainingStepsStage, total, static_cast<double>(std::max<std::size_t>(total, 1))}});
    progress->start(kTrainingStepsStage, total);
    std::signal(SIGTERM, request_cancel);
    std::signal(SIGINT, request_cancel);
    std::uint64_t read = 0;  // bytes of metrics.jsonl relayed
    std::string state;
    bool cancelled = false;
    while (true) {
        if (cancel_request.load() && !cancelled) {
            cancel_slurm_job(job);
            cancelled = true;
        }
        const std::string now = state_of(job, run_dir);
        if (now != state) {
            state = now;
            if (json) write_worker_line(ClusterJobMessage{job, state});
            else std::fprintf(stderr, "Slurm job %s: %s\n", job.c_str(), state.c_str());
        }
        std::error_code missing;
        const std::uint64_t size = fs::file_size(run_dir / "metrics.jsonl", missing);
        if (!missing && size < read) read = size;  // resumed: the lines after its checkpoint are written again
        std::ifstream metrics(run_dir / "metrics.jsonl", std::ios::binary);
        if (metrics && metrics.seekg(static_cast<std::streamoff>(read))) {
            for (std::string line; std::getline(metrics, line) && !metrics.eof();) {
                read += line.size() + 1;
                const auto values = nlohmann::ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
                if (!values.is_object()) continue;
                if (json) write_worker_line(MetricsMessage{values});
                if (values.contains("step") && values["step"].is_number_integer()) progress->advance(values["step"].get<std::size_t>());
            }
        }
        if (is_final_slurm_state(state)) break;
        // In slices, so that a SIGTERM cancels the job at once rather than after the wait.
        const auto next = std::chrono::steady_clock::now() + slurm_poll_interval();
        while (std::chrono::steady_clock::now() < next && (cancelled || !cancel_request.load()))
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    progress->finish();
    if (state == "completed" && fs::exists(run_dir / "adapter" / "adapter_config.json")) return 0;
    throw std::runtime_error("Slurm job " + job + " ended " + state + (state == "completed" ? " without the run's adapter" : "") + ": see " +
                             (run_dir / ("slurm-" + job + ".out")).string());
}

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
                    "workspace", "dtype", "progress"},
                   {"dry-run", "wait"});
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
    Precision precision = Precision::Auto;
    try {
        precision = parse_name<Precision>(args.option("dtype").value_or("auto"));
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--dtype: ") + e.what());
    }
    const std::string workspace_file = args.option("workspace") ? fs::absolute(*args.option("workspace")).lexically_normal().string() : "";
    const std::vector<std::string> train = submitted_train_arguments(config_file.string(), run_dir.string(), request, precision, workspace_file);
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
    const bool wait = args.flag("wait");
    if (!wait && args.option("progress")) throw UsageError("--progress goes with --wait");
    // Followed again, not submitted twice: a workbench reopened while its job runs.
    if (const auto earlier = slurm_job_of_run(run_dir); wait && earlier && !is_final_slurm_state(state_of(*earlier, run_dir)))
        return follow(*earlier, run_dir, config, args.option("progress"));
    fs::create_directories(run_dir);
    const fs::path file = run_dir / "job.sbatch";
    write_file_atomically(file, script);
    const std::string job = submit_batch_script(file);
    record_slurm_job(run_dir, job);
    if (workspace)
        recorded_run(*workspace, run_dir, config, Device{request.gpus_per_node > 0 ? DeviceKind::Cuda : DeviceKind::Cpu},
                     precision, job);
    if (!wait) {
        std::printf("submitted job %s: %s\n", job.c_str(), file.c_str());
        return 0;
    }
    std::fprintf(stderr, "submitted job %s: %s\n", job.c_str(), file.c_str());
    return follow(job, run_dir, config, args.option("progress"));
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
