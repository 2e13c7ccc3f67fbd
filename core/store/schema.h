#pragma once

#include "core/store/sqlite_db.h"

namespace amalgam {

/** The schema version a workspace is at (PRAGMA user_version). */
int schema_version(SqliteDb& db);

/** The schema version this build writes. */
int current_schema_version();

/** Brings a workspace up to current_schema_version() one migration at a time, each in its
 *  own transaction; PRAGMA user_version records where it stands. A workspace from a newer
 *  build is refused rather than damaged. */
void migrate(SqliteDb& db);

}  // namespace amalgam
