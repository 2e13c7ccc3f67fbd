#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/contract/device.h"
#include "core/contract/job_kind.h"
#include "core/contract/precision.h"
#include "core/contract/slurm_script.h"

namespace amalgam {

/** Each kind of amalgam-cli worker run with what it is given (paths absolute). */
struct MakeModelJob {
    std::string arch;  ///< llama, gpt2 or bert: the built-in tiny model of that family
    std::string out;
};

struct CurateJob {
    std::string recipe;
    std::string out;
};

struct EvaluateJob {
    std::string model;
    std::string data;  ///< the folder of evaluation suites
    std::string out;   ///< results.json
    Device device;
    Precision precision = Precision::Auto;
    std::string adapter = {};  ///< empty: the model alone
    std::string label = {};    ///< empty: the model folder's name
    std::string suite = {};    ///< empty: every suite
    std::int64_t limit = 0;    ///< items a suite; 0: all
    std::optional<std::int64_t> run = {}, step = {};  ///< the training run and step the adapter came from
    bool chat_template = false;  ///< each context as the user's turn of the model's chat template (eval --template chat)
};

struct TrainJob {
    std::string config;
    std::string out;  ///< the run folder
    Device device;
    Precision precision = Precision::Auto;
    /// Run as a Slurm job with these resources (the worker submits it and follows it to its
    /// end); nullopt: on this machine.
    std::optional<SlurmRequest> slurm = {};
};

struct MergeJob {
    std::string model;
    std::string adapter;
    std::string out;
};

struct GenerateJob {
    std::string model;
    std::string adapter;
    std::string data;  ///< a file of prompts, as train reads them
    std::string prompt_template;
    std::string out;
    Device device;
    Precision precision = Precision::Auto;
};

/** A worker run as the workbench queues it: one of the kinds above, in JobKind's order. The
 *  workspace stores it as JSON (job_json), and worker_arguments is the one place that spells
 *  amalgam-cli's flags. */
using WorkerJob = std::variant<MakeModelJob, CurateJob, EvaluateJob, TrainJob, MergeJob, GenerateJob>;

inline JobKind kind_of(const WorkerJob& job) { return static_cast<JobKind>(job.index()); }

nlohmann::json job_json(const WorkerJob& job);
/** The job a stored kind and JSON describe; std::invalid_argument naming what is wrong with it. */
WorkerJob worker_job(JobKind kind, const nlohmann::json& options);

/** The worker's command line, without the program; jobs that store their results write them
 *  into `workspace`, reporting progress as JSON lines. */
std::vector<std::string> worker_arguments(const WorkerJob& job, const std::string& workspace);

}  // namespace amalgam
