// amalgam-cli submit: a training run as a Slurm batch job.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "arguments.h"
#include "commands.h"
#include "core/contract/slurm_script.h"
#include "core/util/atomic_file.h"

namespace amalgam::cli {

const char* const kSubmitUsage = R"(usage: amalgam-cli submit CONFIG.yaml --out RUN_DIR [options]

Writes RUN_DIR/job.sbatch, a Slurm batch script that runs `amalgam-cli train CONFIG.yaml
--out RUN_DIR --resume` as srun's ranks (data-parallel over c10d), and submits it with
sbatch --parsable. Slurm sends SIGUSR1 two minutes before the time limit: the ranks
checkpoint and exit 75, the script requeues the job, and it resumes by itself. The job's
output goes to RUN_DIR/slurm-JOBID.out; run.json records the job id.

options:
  --nodes N           nodes (default 1)
  --tasks-per-node T  ranks on each node (default: --gpus-per-node, or 1)
  --gpus-per-node G   GPUs on each node, one rank each; the ranks train on cuda
  --cpus-per-task C   cores of each rank
  --mem M             memory of each node (Slurm's spelling: 64G)
  --partition P, --time T, --account A
                      as sbatch takes them
  --sbatch-option O   one more #SBATCH line, as written ("--qos=high")
  --workspace FILE    record the run in this workspace once it logs a step
  --dry-run           print the script and submit nothing
)";

namespace {

namespace fs = std::filesystem;

/** The path of this amalgam-cli, so that the job runs the same build (on a shared file system). */
std::string this_program() {
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    return error ? "amalgam-cli" : self.string();
}

/** sbatch --parsable's answer for `script`: the job id. */
std::string submit(const fs::path& script) {
    const std::string command = "sbatch --parsable " + shell_word(script.string()) + " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) throw std::runtime_error("cannot run sbatch");
    std::string out;
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe.get())) out += buffer;
    const int status = ::pclose(pipe.release());
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    if (status != 0) throw std::runtime_error("sbatch refused " + script.string() + ": " + (out.empty() ? "no answer (is Slurm installed?)" : out));
    return out.substr(0, out.find(';'));  // "ID" or "ID;CLUSTER"
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

    const fs::path run_dir = fs::absolute(*out).lexically_normal();
    std::vector<std::string> train = {fs::absolute(args.positional()[0]).lexically_normal().string(), "--out", run_dir.string()};
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
    fs::create_directories(run_dir);
    const fs::path file = run_dir / "job.sbatch";
    write_file_atomically(file, script);
    const std::string job = submit(file);
    std::printf("submitted job %s: %s\n", job.c_str(), file.c_str());
    return 0;
}

}  // namespace amalgam::cli
