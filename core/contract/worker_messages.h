#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/progress.h"

namespace amalgam {

/** How far a worker's current stage has come: {"progress": {"stage", "done", "total"}}. */
struct ProgressMessage {
    std::string stage;
    std::size_t done = 0;
    std::size_t total = 0;
};

/** The stage under which a training worker counts its optimizer steps, and the workbench reads them. */
inline constexpr const char* kTrainingStepsStage = "train";

/** The stages a worker will go through, before the first: {"plan": [{"stage", "total", "work"}]}. */
struct PlanMessage {
    std::vector<Progress::Stage> stages;
};

/** One logged step of a training run, as metrics.jsonl holds it: {"metrics": {...}}. */
struct MetricsMessage {
    nlohmann::ordered_json values;
};

/** The state of the cluster job a worker follows, whenever it changes:
 *  {"cluster_job": {"job", "state"}}, the state in Slurm's words, lower case. */
struct ClusterJobMessage {
    std::string job;
    std::string state;
};

/** What an amalgam-cli worker tells the workbench on stdout, one JSON object a line. Both
 *  sides use this code: the worker writes with worker_line, the job queue reads with
 *  read_worker_line; a line that is none of these is the worker's log. */
using WorkerMessage = std::variant<ProgressMessage, PlanMessage, MetricsMessage, ClusterJobMessage>;

/** The message as one line of JSON, without the line break. */
std::string worker_line(const WorkerMessage& message);
/** The message a line holds, or nullopt for a line of log. */
std::optional<WorkerMessage> read_worker_line(std::string_view line);

}  // namespace amalgam
