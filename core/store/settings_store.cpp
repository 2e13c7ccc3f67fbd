#include "core/store/settings_store.h"

namespace amalgam {

std::optional<std::string> SettingsStore::get(const std::string& key) {
    SqliteDb::Statement s(db_, "SELECT value FROM settings WHERE key = ?");
    s.bind(1, key);
    if (!s.step()) return std::nullopt;
    return s.text(0);
}

void SettingsStore::set(const std::string& key, const std::string& value) {
    SqliteDb::Statement s(db_, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    s.bind(1, key).bind(2, value).step();
}

}  // namespace amalgam
