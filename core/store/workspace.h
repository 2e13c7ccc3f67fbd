#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "core/store/dataset_store.h"
#include "core/store/evaluation_store.h"
#include "core/store/job_store.h"
#include "core/store/run_store.h"
#include "core/store/selection_store.h"
#include "core/store/settings_store.h"

namespace amalgam {

/** One SQLite file holding everything a researcher made, as a store per concern over one
 *  connection: datasets and their items, recipes and selections with every pair's cluster,
 *  position and fate, evaluations, training runs, the queue's jobs, and the workbench's
 *  settings. WAL journal, foreign keys on, schema migrated on open. */
class Workspace {
public:
    explicit Workspace(const std::filesystem::path& file);
    ~Workspace();

    DatasetStore& datasets() { return datasets_; }
    SelectionStore& selections() { return selections_; }
    EvaluationStore& evaluations() { return evaluations_; }
    RunStore& runs() { return runs_; }
    /** The queue: jobs, and which workbench runs them. */
    JobStore& jobs() { return jobs_; }
    SettingsStore& settings() { return settings_; }

    int schema_version();
    /** Changes when another connection (another process, or a thread's) commits to the file. */
    std::int64_t data_version();
    SqliteDb& db() { return *db_; }

private:
    std::unique_ptr<SqliteDb> db_;
    DatasetStore datasets_;
    SelectionStore selections_;
    EvaluationStore evaluations_;
    RunStore runs_;
    JobStore jobs_;
    SettingsStore settings_;
};

}  // namespace amalgam
