#pragma once

// What the store's tables share: the time stamps it writes, optional integers, and reading back
// JSON and names that something else may have damaged.
#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/util/json_error.h"
#include "core/store/sqlite_db.h"
#include "core/util/name_table.h"

namespace amalgam::stored {

/** Now, as ISO 8601 in UTC. */
inline std::string now_utc() {
    std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buffer;
}

/** Reads a JSON column of the workspace at `file` with `read`; damaged JSON is an error naming the file and `what`. */
template <class Read>
auto stored_json(const std::string& file, const std::string& text, const std::string& what, Read read) -> decltype(read(nlohmann::json())) {
    try {
        return read(nlohmann::json::parse(text));
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(file + ": " + what + " is damaged (" + json_error_text(e) + "); the workspace was changed by something else");
    }
}

/** A stored text read with `parse`, whose std::invalid_argument becomes an error naming the file. */
template <class Parse>
auto stored_value(const std::string& file, const std::string& text, Parse parse) -> decltype(parse(text)) {
    try {
        return parse(text);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(file + ": " + e.what() + "; the workspace was written by a newer build or changed by something else");
    }
}

/** The enum value a stored name means. */
template <typename E>
E stored_name(const std::string& file, const std::string& text) {
    return stored_value(file, text, [](const std::string& name) { return parse_name<E>(name); });
}

/** Binds an optional integer, NULL when it has none. */
inline void bind_optional(SqliteDb::Statement& s, int index, const std::optional<std::int64_t>& value) {
    if (value) s.bind(index, *value);
    else s.bind(index, std::nullopt);
}

/** An integer column that may be NULL. */
inline std::optional<std::int64_t> optional_integer(const SqliteDb::Statement& s, int column) {
    if (s.is_null(column)) return std::nullopt;
    return s.integer(column);
}

}  // namespace amalgam::stored
