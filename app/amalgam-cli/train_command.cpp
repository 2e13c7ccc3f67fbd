// amalgam-cli train: SFT, reward model, DPO or PPO with LoRA into a run folder.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>

#include "arguments.h"
#include "commands.h"
#include "core/model_io/model_config.h"
#include "core/model/precision.h"
#include "core/store/workspace.h"
#include "core/train/checkpoint.h"
#include "core/train/estimate.h"
#include "core/train/trainer.h"
#include "json_lines_progress.h"
#include "model_loading.h"
#include "process_group_option.h"
#include "run_record.h"

namespace amalgam::cli {

const char* const kTrainUsage = R"(usage: amalgam-cli train CONFIG.yaml --out RUN_DIR [options]
       amalgam-cli train CONFIG.yaml --estimate [--device cpu|cuda] [--dtype TYPE]

Trains a LoRA adapter with the config's stage: sft (causal LM loss on the response),
rm (reward model: a score head on the last token, -log sigmoid(r_chosen - r_rejected)),
dpo (-log sigmoid(beta * margin), the reference being the model with its adapter off) or
ppo (the policy against the reward adapter of `reward:`, with a value head and a KL penalty
to the model with its adapter off; samples.jsonl, and evals/step-N/ when eval_data is a
folder of evaluation suites).
RUN_DIR receives run.json, metrics.jsonl, checkpoints/step-N/ (the newest two) and, at the
end, adapter/ in PEFT's layout (with the score head for rm); generate, score and eval load
it with --adapter. A stopped or killed run continues with --resume to the same bytes.

options:
  --out DIR           the run folder
  --resume            continue the run in --out from its newest checkpoint (or start it)
  --max-steps N       stop after step N, checkpointed; the schedule still spans the run
  --estimate          print the expected peak memory and time per step, and exit; warns
                      when the peak exceeds the memory free on the device (CPU: MemAvailable)
  --device cpu|cuda   where to train (default cpu)
  --dtype TYPE        auto (bfloat16 on cuda, float32 on cpu), float32, bfloat16 or float16
                      for the frozen base; LoRA, head and optimizer stay float32
  --progress STYLE    bar (default: a bar and each logged step on stderr) or json: progress
                      and {"metrics": {...}} lines on stdout
  --workspace FILE    record the run in this workspace once it logs a step (the workbench
                      and `runs` list it), and store each evaluation during training (PPO's
                      evals/step-N) there as a row "LABEL @ step N" of `compare`
)" AMALGAM_PROCESS_GROUP_OPTIONS R"(
SIGTERM or SIGUSR1 (Slurm's warnings before it stops or preempts a job) make the run save a
checkpoint after the step it is in and exit with status 75, to continue with --resume.

Started by torchrun or srun as N processes, each takes its share of every step: a step is
batch_size x grad_accum x N rows in the order of one process, and the loss is normalised by
their global count, so that the run equals one process with grad_accum x N. Rank 0 writes
the run folder; plain --device cuda is each rank's own GPU (LOCAL_RANK).

presets (preset: NAME; the file's own values override them):
  paper-sft   lr 1e-5 cosine, weight decay 0.05, batch 4, max length 512, 5000 steps,
              LoRA r 16 / alpha 32 / dropout 0.05, 100 warm-up steps
  paper-rm    lr 2e-5 linear, weight decay 0.001, batch 4, max length 512, 1 epoch,
              LoRA r 8 / alpha 32 / dropout 0.1, 100 warm-up steps
  paper-ppo   lr 1.41e-5 constant, batch 32, mini-batch 1, grad-accum 4, 4 PPO epochs,
              20000 steps, LoRA r 16 / alpha 32 / dropout 0.05, adaptive KL 0.2 -> 6,
              32-128 new tokens, top_k 0, top_p 1, no stop at EOS, metrics every step,
              evaluation every 100 steps (both also PPO's defaults without a preset)
)";

namespace {

namespace fs = std::filesystem;



/** Stores an evaluation during training in the workspace as a row "LABEL @ step N" of `run`. */
void store_evaluation(Workspace& workspace, const RunRow& run, const TrainConfig& config, const TrainOptions& options,
                      std::int64_t step, const nlohmann::ordered_json& results) {
    const std::string model = fs::absolute(config.model).lexically_normal().string();
    const std::string name = run.label + " @ step " + std::to_string(step);
    nlohmann::ordered_json document = {{"model", model},
                                       {"adapter", nullptr},
                                       {"label", name},
                                       {"device", options.device.str()},
                                       {"dtype", dtype_name(resolve_precision(options.precision, options.device))}};
    document.update(results);
    workspace.evaluations().save(model, "", name, document.dump(2) + "\n", run.id, step);
}

/** The exit status of a run stopped when asked: EX_TEMPFAIL, "try again" (with --resume). */
constexpr int kInterrupted = 75;

/** The signal that asked the run to stop, or 0. */
std::atomic<int> stop_request{0};

extern "C" void request_stop(int signal) { stop_request.store(signal); }

/** A logged step as one short line: "step 20  loss 2.31  lr 1e-05 ...". */
void print_metrics(const nlohmann::ordered_json& line) {
    std::string text;
    for (const auto& [key, value] : line.items()) {
        char part[96];
        if (value.is_number_integer()) std::snprintf(part, sizeof part, "%s %lld", key.c_str(), value.get<long long>());
        else std::snprintf(part, sizeof part, "%s %.4g", key.c_str(), value.get<double>());
        text += (text.empty() ? "" : "  ") + std::string(part);
    }
    std::fprintf(stderr, "\r\033[K%s\n", text.c_str());
}

}  // namespace

int run_train(const std::vector<std::string>& words) {
    Arguments args(words, {"out", "max-steps", "device", "dtype", "progress", "workspace", "dist", "dist-timeout"}, {"resume", "estimate"});
    if (args.positional().size() != 1) throw UsageError("train takes one config file");
    const TrainConfig config = read_config(args.positional()[0]);
    TrainOptions options;
    options.device = device_option(args);
    options.precision = precision_option(args);
    if (args.flag("estimate")) {
        const ModelConfig model = ModelConfig::load(fs::path(config.model) / "config.json");
        const at::ScalarType dtype = resolve_precision(options.precision, options.device);
        const TrainEstimate e = estimate_training(model, config, dtype, measure_device_flops(options.device, dtype));
        std::fputs(describe(e).c_str(), stdout);
        if (auto free = free_memory_bytes(options.device); free && e.peak_bytes > *free)
            std::printf("warning: the expected peak of %s exceeds the %s free on %s\n", memory_text(e.peak_bytes).c_str(), memory_text(*free).c_str(),
                        options.device.str().c_str());
        return 0;
    }
    auto out = args.option("out");
    if (!out) throw UsageError("train needs --out RUN_DIR");
    options.run_dir = *out;
    const std::unique_ptr<ProcessGroup> group = join_process_group(args, options.device);
    options.group = group.get();
    options.device = rank_device(options.device, group.get());
    const bool writes = !group || group->rank() == 0;  // the other ranks neither print nor record
    {  // A run that cannot fit twice over is refused before it loads anything (its time is not asked for).
        const at::ScalarType dtype = resolve_precision(options.precision, options.device);
        const TrainEstimate e = estimate_training(ModelConfig::load(fs::path(config.model) / "config.json"), config, dtype, 1.0);
        if (auto free = free_memory_bytes(options.device); free && e.peak_bytes > 2 * *free)
            throw std::runtime_error("the expected peak of " + memory_text(e.peak_bytes) + " is more than twice the " + memory_text(*free) +
                                     " free on " + options.device.str() + ": lower batch_size or max_length (train --estimate shows the parts)");
    }
    // The workspace is opened (and so checked) before the work, not after it.
    std::unique_ptr<Workspace> workspace;
    if (auto w = args.option("workspace"); w && writes) workspace = std::make_unique<Workspace>(*w);
    // The run is recorded once it logs its first step: a run that could not start leaves no record.
    std::optional<RunRow> recorded;
    const auto run = [&]() -> const RunRow& {
        if (!recorded) recorded = recorded_run(*workspace, options.run_dir, config, Device::parse(options.device.str()), options.precision, options.cluster_job);
        return *recorded;
    };
    if (workspace)
        options.on_evaluation = [&](std::int64_t step, const nlohmann::ordered_json& results) {
            store_evaluation(*workspace, run(), config, options, step, results);
        };
    options.resume = args.flag("resume");
    if (args.option("max-steps")) options.stop_at = static_cast<std::int64_t>(args.unsigned_integer("max-steps", 0));
    auto progress = make_progress(args.option("progress"));
    if (writes) options.progress = progress.get();
    const bool json = args.option("progress") == std::optional<std::string>("json");
    if (writes) options.on_metrics = [&, json](const nlohmann::ordered_json& line) {
        if (workspace) run();
        if (!json) return print_metrics(line);
        write_worker_line(MetricsMessage{line});
    };
    // Slurm's SIGTERM before it stops a job, and the signal sbatch --signal sends ahead of its time.
    std::signal(SIGTERM, request_stop);
    std::signal(SIGUSR1, request_stop);
    options.stop_request = &stop_request;
    if (const char* job = std::getenv("SLURM_JOB_ID")) options.cluster_job = job;
    if (options.resume && writes)
        if (const auto checkpoint = latest_checkpoint(options.run_dir)) std::fprintf(stderr, "resuming from %s\n", checkpoint->c_str());
    const TrainSummary summary = train(config, options);
    if (summary.interrupted) {
        if (writes)
            std::fprintf(stderr, "stopped at step %lld of %lld when asked (checkpointed); continue with --resume\n",
                         static_cast<long long>(summary.step), static_cast<long long>(summary.total_steps));
        return kInterrupted;
    }
    if (!writes) return 0;
    if (summary.finished)
        std::fprintf(stderr, "trained %lld steps; the adapter is in %s\n", static_cast<long long>(summary.step), (fs::path(*out) / "adapter").c_str());
    else
        std::fprintf(stderr, "stopped at step %lld of %lld; continue with --resume\n", static_cast<long long>(summary.step),
                     static_cast<long long>(summary.total_steps));
    return 0;
}

}  // namespace amalgam::cli
