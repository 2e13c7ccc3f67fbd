#pragma once

#include <optional>
#include <string>

#include "core/store/sqlite_db.h"

namespace amalgam {

/** The workbench's document (recipe, fraction, ...) as short texts by key: one of the stores a
 *  Workspace keeps over its connection. */
class SettingsStore {
public:
    explicit SettingsStore(SqliteDb& db) : db_(db) {}

    std::optional<std::string> get(const std::string& key);
    void set(const std::string& key, const std::string& value);

private:
    SqliteDb& db_;
};

}  // namespace amalgam
