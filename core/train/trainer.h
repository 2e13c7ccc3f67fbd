#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "core/dist/process_group.h"
#include "core/model/precision.h"
#include "core/train/train_config.h"
#include "core/util/progress.h"

namespace amalgam {

struct TrainOptions {
    std::filesystem::path run_dir;
    bool resume = false;                    ///< continue the run in run_dir (or start it when there is none)
    std::optional<std::int64_t> stop_at;    ///< stop after this step, checkpointed; the schedule still spans the run
    at::Device device = at::kCPU;
    Precision precision = Precision::Auto;
    Progress* progress = nullptr;
    /// The run's other processes, when a launcher started several: each takes its share of every
    /// step's micro-batches and rank 0 alone writes. nullptr: this process is the whole run.
    ProcessGroup* group = nullptr;
    /// Set (to a signal's number, say) to have the run checkpoint after the step it is in and
    /// return, as Slurm's SIGTERM or --signal ask before they stop a job; over a group, every rank
    /// stops after the same step when any one is asked.
    const std::atomic<int>* stop_request = nullptr;
    /// The cluster's id of the job this run is part of (Slurm's SLURM_JOB_ID), for run.json.
    std::string cluster_job;
    /// Each line written to metrics.jsonl, as it is written.
    std::function<void(const nlohmann::ordered_json&)> on_metrics;
    /// Each evaluation on the suites of eval_data (PPO): the step and results.json's body, once
    /// evals/step-N/results.json is written and before its metrics line.
    std::function<void(std::int64_t step, const nlohmann::ordered_json& results)> on_evaluation;
};

/** The run stopped for a reason it names (a non-finite loss, the device out of memory), its
 *  checkpoints intact so that it resumes. */
class TrainingError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/** What a finished (or stopped) run reached. */
struct TrainSummary {
    std::int64_t step = 0;
    std::int64_t total_steps = 0;
    bool finished = false;  ///< adapter/ is written
    bool interrupted = false;  ///< stopped on stop_request, checkpointed
};

/** Trains `config` into options.run_dir: run.json, metrics.jsonl, checkpoints/step-N/ and, at
 *  the end, adapter/. The same config and data give the same adapter bytes (on one device and
 *  thread count), however often the run is stopped and resumed. Over a process group of N ranks
 *  a step takes batch_size x grad_accum x N rows, in the order one process would take them,
 *  and its loss is normalised by their global count: the run of one process with grad_accum x N.
 *  A PPO step takes N batches of prompts, one a rank, each rank sampling its own rollouts; the
 *  whitening, the KL controller and every figure are over all of them, and each PPO update
 *  step sums the ranks' gradients. */
TrainSummary train(const TrainConfig& config, const TrainOptions& options);

}  // namespace amalgam
