#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/data/import_options.h"
#include "core/data/record.h"
#include "core/store/sqlite_db.h"

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

/** The imported datasets and their items, keyed by the file's absolute path: one of the stores a
 *  Workspace keeps over its connection. */
class DatasetStore {
public:
    explicit DatasetStore(SqliteDb& db) : db_(db) {}

    /** The stored dataset when the file's content, format and field mapping are unchanged;
     *  otherwise imports it and replaces the stored copy in one transaction. A failed import
     *  changes nothing. */
    LoadedDataset load_or_import(const std::string& name, const std::filesystem::path& path, const std::string& format,
                                 const ImportOptions& options);
    /** The stored copy of the file, when it is current (content, format and field mapping). */
    std::optional<LoadedDataset> stored(const std::filesystem::path& path, const std::string& format, const ImportOptions& options);
    /** Stores a dataset read from `path` with `options`, replacing an older copy; a current
     *  copy is kept as it is. Returns the stored copy's id. */
    std::int64_t store(const std::string& name, const std::filesystem::path& path, const Dataset& dataset, const ImportOptions& options);

    std::vector<DatasetRow> all();

    /** Removes the stored copy of the file at `path` and returns it; nullopt when there is none. */
    std::optional<StoredImport> take(const std::filesystem::path& path);
    void put(const StoredImport& stored);

private:
    SqliteDb& db_;
};

}  // namespace amalgam
