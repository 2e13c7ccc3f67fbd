#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/contract/job_kind.h"
#include "core/store/sqlite_db.h"

namespace amalgam {

/** A background worker run the workbench queued: a kind and its options (JSON), from which the
 *  workbench derives the command line. */
struct JobRow {
    std::int64_t id = 0;
    std::string label;
    std::optional<JobKind> kind;  ///< nullopt for a job this build does not run (an older build's command line)
    std::string options = "{}";   ///< JSON object
    JobState state = JobState::Queued;
    double progress = 0;  ///< 0..1 of the current stage
    std::string stage;
    std::string log;
    std::string error;
    std::string created_at;               ///< ISO 8601, UTC
    std::string finished_at;              ///< empty until it ends
    std::vector<std::int64_t> waits_for;  ///< jobs that must finish before it starts
};

/** The workspace's queue of worker runs, and the lease that says which workbench runs them:
 *  one of the stores a Workspace keeps over its connection. */
class JobStore {
public:
    explicit JobStore(SqliteDb& db) : db_(db) {}

    std::int64_t add(const std::string& label, JobKind kind, const std::string& options_json, const std::vector<std::int64_t>& waits_for = {});
    /** Writes a job's state, progress, stage, log and error. */
    void update(const JobRow& job);
    std::vector<JobRow> all();
    /** Takes a job out of the list. */
    void remove(std::int64_t id);
    /** Puts a removed job back as it was: its id, times and all. */
    void restore(const JobRow& job);

    /** Takes or renews the right to run the queued jobs for `seconds`: true when `holder` has
     *  it now (it was free, had expired, or was already its own), so that two workbenches on
     *  one workspace never both start its jobs. */
    bool take_lease(const std::string& holder, double seconds);
    void release_lease(const std::string& holder);

private:
    SqliteDb& db_;
};

}  // namespace amalgam
