#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/curate/curation.h"
#include "core/data/import_options.h"
#include "core/data/record.h"

namespace amalgam {

class SqliteDb;

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

    std::vector<DatasetRow> datasets();

    /** Stores a recipe text once (keyed by its hash) and returns its id. */
    std::int64_t save_recipe(const std::string& path, const std::string& text);

    /** Stores a selection: hyperparameters, inputs, summary and every pair's outcome. */
    std::int64_t save_selection(std::int64_t recipe_id, const Curation& curation, const std::vector<bool>& selected,
                                double fraction, const std::string& summary_json);

    /** Stores an evaluation (results.json text with metrics, counts and items). */
    std::int64_t save_eval_result(const std::string& model, const std::string& adapter, const std::string& label,
                                  const std::string& results_json);

    /** One stored evaluation, for comparison tables. */
    struct EvalRow {
        std::int64_t id = 0;
        std::string label;
        std::string metrics_json;
        std::string counts_json;
    };
    std::vector<EvalRow> eval_results();

    int schema_version();
    SqliteDb& db() { return *db_; }

private:
    std::unique_ptr<SqliteDb> db_;
};

}  // namespace amalgam
