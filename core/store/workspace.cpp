#include "core/store/workspace.h"

#include "core/store/schema.h"

namespace amalgam {

namespace {

/** The connection, configured and migrated before any store is made over it. */
std::unique_ptr<SqliteDb> open_workspace(const std::filesystem::path& file) {
    auto db = std::make_unique<SqliteDb>(file.string());
    db->exec("PRAGMA journal_mode = WAL");
    db->exec("PRAGMA foreign_keys = ON");
    migrate(*db);
    return db;
}

}  // namespace

Workspace::Workspace(const std::filesystem::path& file)
    : db_(open_workspace(file)), datasets_(*db_), selections_(*db_), evaluations_(*db_), runs_(*db_), jobs_(*db_), settings_(*db_) {}

Workspace::~Workspace() = default;

int Workspace::schema_version() { return amalgam::schema_version(*db_); }

std::int64_t Workspace::data_version() {
    SqliteDb::Statement s(*db_, "PRAGMA data_version");
    s.step();
    return s.integer(0);
}

}  // namespace amalgam
