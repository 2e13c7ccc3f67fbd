#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/contract/job_kind.h"
#include "core/store/job_store.h"
#include "core/contract/stage.h"
#include "core/curate/selection_record.h"
#include "core/data/import_options.h"
#include "core/data/record.h"

namespace amalgam {


/** A dataset as the workspace holds it. */
struct DatasetRow {
    std::int64_t id = 0;
    std::string name;
    std::string path;
    std::string format;
    std::string content_hash;
    std::size_t records = 0;
    std::size_t skipped_lines = 0;
    std::size_t items = 0;
};

/** The result of asking the workspace for a dataset. */
struct LoadedDataset {
    Dataset dataset;
    std::int64_t id = 0;
    bool imported = false;  ///< false when the stored copy was current and nothing was written
};

/** One SQLite file holding everything a researcher made: datasets and their items, recipes,
 *  selections with every pair's cluster, position and fate. WAL journal, foreign keys on,
 *  schema migrated on open. */
class Workspace {
public:
    explicit Workspace(const std::filesystem::path& file);
    ~Workspace();

    /** The stored dataset when the file's content, format and field mapping are unchanged;
     *  otherwise imports it and replaces the stored copy in one transaction. A failed import
     *  changes nothing. */
    LoadedDataset load_or_import(const std::string& name, const std::filesystem::path& path, const std::string& format,
                                 const ImportOptions& options);
    /** The stored copy of the file, when it is current (content, format and field mapping). */
    std::optional<LoadedDataset> stored_dataset(const std::filesystem::path& path, const std::string& format, const ImportOptions& options);
    /** Stores a dataset read from `path` with `options`, replacing an older copy; a current
     *  copy is kept as it is. Returns the stored copy's id. */
    std::int64_t store_dataset(const std::string& name, const std::filesystem::path& path, const Dataset& dataset, const ImportOptions& options);

    std::vector<DatasetRow> datasets();

    /** A dataset's stored copy, row for row, to take out of the workspace and put back as it was. */
    struct StoredImport {
        struct Item {
            std::int64_t id = 0, ordinal = 0;
            std::string source_id, prompt, record;
        };
        std::int64_t id = 0, records = 0, skipped_lines = 0;
        std::string name, path, format, options, content_hash, imported_at;
        std::vector<Item> items;
    };
    /** Removes the stored copy of the file at `path` and returns it; nullopt when there is none. */
    std::optional<StoredImport> take_import(const std::filesystem::path& path);
    void put_import(const StoredImport& stored);

    /** Stores a recipe text once (keyed by its hash) and returns its id. */
    std::int64_t save_recipe(const std::string& path, const std::string& text);

    /** Stores a selection: hyperparameters, inputs, summary and every pair's outcome. */
    std::int64_t save_selection(std::int64_t recipe_id, const SelectionRecord& selection);

    /** Stores an evaluation (results.json text with metrics, counts and items); `run` and `step`
     *  name the training run and step its adapter came from, when there is one. It replaces an
     *  evaluation of the same run and step under the same label: a resumed run evaluates the
     *  steps after its checkpoint again. */
    std::int64_t save_eval_result(const std::string& model, const std::string& adapter, const std::string& label,
                                  const std::string& results_json, std::optional<std::int64_t> run = std::nullopt,
                                  std::optional<std::int64_t> step = std::nullopt);

    /** One stored evaluation, for comparison tables. */
    struct EvalRow {
        std::int64_t id = 0;
        std::string label;
        std::string metrics_json;
        std::string counts_json;
        std::optional<std::int64_t> run;
        std::optional<std::int64_t> step;
    };
    std::vector<EvalRow> eval_results();
    /** Whether a run has an evaluation at a later step than `row`'s among `all` (a PPO run
     *  evaluates itself every eval_every steps): the rows a view of each run's last step leaves out. */
    static bool superseded(const EvalRow& row, const std::vector<EvalRow>& all);
    /** A stored evaluation's whole results.json, its per-item records included. */
    std::string eval_result_document(std::int64_t id);

    /** A stored curation's map: the placements of its pairs and the clusters it used. */
    struct StoredCuration {
        std::int64_t selection_id = 0;
        int clusters_used = 0;
        std::vector<PairPlacement> placements;  ///< by pair id
    };
    /** The most recent stored selection's map, if there is one. */
    std::optional<StoredCuration> latest_curation();

    /** The workbench's document (recipe, fraction, ...): short texts by key. */
    std::optional<std::string> setting(const std::string& key);
    void set_setting(const std::string& key, const std::string& value);

    PairOverrides pair_overrides();
    /** Forces (true) or excludes (false) pairs, or with nullopt forgets the decision. */
    void set_pair_overrides(const std::vector<std::pair<std::string, std::string>>& pairs, std::optional<bool> keep);

    /** A training run and its lineage: the model and data it read, the run it started from
     *  and, for PPO, the reward model's run. Its state is its job's; its curves are in
     *  dir/metrics.jsonl. */
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
        std::string device;
        std::string dtype;
        std::optional<std::int64_t> job_id;
        std::string created_at;
    };
    /** Adds a run launched by a job of the workspace; throws when a run has the folder. */
    std::int64_t add_run(const RunRow& run);
    /** How `amalgam-cli train --workspace` records its run once it has logged a step: `run` is
     *  added, or a stored record of the command line's for the same folder takes this launch
     *  (config, lineage, data, device and type; the label stays); a job's run (whose row the
     *  workbench added before its worker started) is left as it is. Returns the stored row. */
    RunRow record_run(const RunRow& run);
    std::vector<RunRow> runs();
    /** Takes a run's row out (runs that name it as parent or reward lose the link). */
    void remove_run(std::int64_t id);
    /** Puts a removed run back as it was: its id, time and all. */
    void restore_run(const RunRow& run);

    int schema_version();
    /** Changes when another connection (another process, or a thread's) commits to the file. */
    std::int64_t data_version();
    SqliteDb& db() { return *db_; }
    /** The queue: jobs, and which workbench runs them. */
    JobStore& jobs() { return *jobs_; }

private:
    std::unique_ptr<SqliteDb> db_;
    std::unique_ptr<JobStore> jobs_;
};

}  // namespace amalgam
