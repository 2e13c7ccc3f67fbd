#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/contract/device.h"
#include "core/contract/precision.h"
#include "core/contract/stage.h"
#include "core/store/sqlite_db.h"

namespace amalgam {

/** A training run and its lineage: the model and data it read, the run it started from and, for
 *  PPO, the reward model's run. Its state is its job's; its curves are in dir/metrics.jsonl. */
struct RunRow {
    std::int64_t id = 0;
    std::string label;
    Stage stage = Stage::Sft;
    std::string dir;
    std::string config;  ///< the YAML it was launched with; what views need of it is below
    std::string model;   ///< the base model folder (a parent's adapter is merged into it)
    std::optional<std::int64_t> max_steps;  ///< nullopt: it trains for epochs
    std::string prompt_template;
    std::optional<std::int64_t> parent_run;
    std::optional<std::int64_t> reward_run;
    std::string data;
    std::string data_sha256;
    std::string recipe;  ///< the recipe that selected the data, or empty for a file chosen by hand
    Device device;
    Precision precision = Precision::Float32;  ///< the type it trains in (auto resolved for its device)
    std::optional<std::int64_t> job_id;
    std::string cluster_job;  ///< the Slurm job it runs as, or empty for a run on this machine
    std::string created_at;
};

/** The training runs, one per folder: one of the stores a Workspace keeps over its connection. */
class RunStore {
public:
    explicit RunStore(SqliteDb& db) : db_(db) {}

    /** Adds a run launched by a job of the workspace; throws when a run has the folder. */
    std::int64_t add(const RunRow& run);
    /** How `amalgam-cli train --workspace` records its run once it has logged a step: `run` is
     *  added, or a stored record of the command line's for the same folder takes this launch
     *  (config, lineage, data, device and type, and its cluster job where it names one; the
     *  label stays); a job's run (whose row the workbench added before its worker started) is
     *  left as it is. Returns the stored row. */
    RunRow record(const RunRow& run);
    /** Notes the Slurm job a run runs as (a job's run too: the workbench submits it). */
    void set_cluster_job(std::int64_t id, const std::string& job);
    std::vector<RunRow> all();
    /** Takes a run's row out (runs that name it as parent or reward lose the link). */
    void remove(std::int64_t id);
    /** Puts a removed run back as it was: its id, time and all. */
    void restore(const RunRow& run);

private:
    SqliteDb& db_;
};

}  // namespace amalgam
