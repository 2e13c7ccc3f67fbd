#include "core/store/dataset_store.h"

#include <nlohmann/json.hpp>

#include "core/data/importer.h"
#include "core/data/prompt_json.h"
#include "core/store/stored_values.h"

namespace amalgam {

using stored::now_utc;
using stored::stored_json;

namespace {

/** What the stored copy of a file was read with: the field mapping, and the label it was checked for. */
std::string options_json(const ImportOptions& options) {
    return options.label.empty() ? nlohmann::json(options.fields).dump() : nlohmann::json{{"fields", options.fields}, {"label", options.label}}.dump();
}

}  // namespace

std::optional<LoadedDataset> DatasetStore::stored(const std::filesystem::path& path, const std::string& format,
                                                  const ImportOptions& options) {
    SqliteDb::Statement find(db_, "SELECT id, format, options, content_hash, records, skipped_lines FROM datasets WHERE path = ?");
    find.bind(1, std::filesystem::absolute(path).lexically_normal().string());
    // Cheapest first: a file never stored, or read with other options, is not hashed here (its import hashes it).
    if (!find.step() || find.text(2) != options_json(options)) return std::nullopt;
    LoadedDataset out;
    Dataset& d = out.dataset;
    d.format = (format.empty() || format == "auto") ? detect_format(path) : format;
    if (find.text(1) != d.format) return std::nullopt;
    d.content_hash = content_hash(path, d.format);
    if (find.text(3) != d.content_hash) return std::nullopt;
    out.id = find.integer(0);
    d.report.lines = static_cast<std::size_t>(find.integer(4));
    d.report.skipped_lines = static_cast<std::size_t>(find.integer(5));
    SqliteDb::Statement items(db_, "SELECT record FROM items WHERE dataset_id = ? ORDER BY ordinal");
    items.bind(1, out.id);
    while (items.step()) d.prompts.push_back(stored_json(db_.path(), items.text(0), "a stored record of " + path.string(), prompt_from_json));
    return out;
}

std::int64_t DatasetStore::store(const std::string& name, const std::filesystem::path& path, const Dataset& d, const ImportOptions& options) {
    const std::string abs_path = std::filesystem::absolute(path).lexically_normal().string();
    const std::string options_text = options_json(options);
    SqliteDb::Transaction t(db_);
    SqliteDb::Statement current(db_, "SELECT id FROM datasets WHERE path = ? AND format = ? AND options = ? AND content_hash = ?");
    current.bind(1, abs_path).bind(2, d.format).bind(3, options_text).bind(4, d.content_hash);
    if (current.step()) return current.integer(0);
    SqliteDb::Statement remove(db_, "DELETE FROM datasets WHERE path = ?");
    remove.bind(1, abs_path).step();
    SqliteDb::Statement insert(db_,
                               "INSERT INTO datasets (name, path, format, options, content_hash, records, skipped_lines, imported_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, name).bind(2, abs_path).bind(3, d.format).bind(4, options_text).bind(5, d.content_hash)
        .bind(6, static_cast<std::int64_t>(d.report.lines)).bind(7, static_cast<std::int64_t>(d.report.skipped_lines))
        .bind(8, now_utc()).step();
    const std::int64_t id = db_.last_insert_id();
    SqliteDb::Statement item(db_, "INSERT INTO items (dataset_id, ordinal, source_id, prompt, record) VALUES (?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < d.prompts.size(); ++i) {
        const Prompt& p = d.prompts[i];
        item.bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, p.source_id).bind(4, p.text).bind(5, to_json(p).dump());
        item.step();
        item.reset();
    }
    t.commit();
    return id;
}

LoadedDataset DatasetStore::load_or_import(const std::string& name, const std::filesystem::path& path, const std::string& format,
                                           const ImportOptions& options) {
    if (auto current = stored(path, format, options)) return *current;
    LoadedDataset out;
    out.dataset = import_dataset(path, format, options);  // may throw: nothing written yet
    out.id = store(name, path, out.dataset, options);
    out.imported = true;
    return out;
}

std::optional<StoredImport> DatasetStore::take(const std::filesystem::path& path) {
    SqliteDb::Transaction t(db_);
    SqliteDb::Statement find(db_,
                             "SELECT id, name, path, format, options, content_hash, records, skipped_lines, imported_at FROM datasets WHERE path = ?");
    find.bind(1, std::filesystem::absolute(path).lexically_normal().string());
    if (!find.step()) return std::nullopt;
    StoredImport out;
    out.id = find.integer(0);
    out.name = find.text(1);
    out.path = find.text(2);
    out.format = find.text(3);
    out.options = find.text(4);
    out.content_hash = find.text(5);
    out.records = find.integer(6);
    out.skipped_lines = find.integer(7);
    out.imported_at = find.text(8);
    SqliteDb::Statement items(db_, "SELECT id, ordinal, source_id, prompt, record FROM items WHERE dataset_id = ? ORDER BY id");
    items.bind(1, out.id);
    while (items.step()) out.items.push_back({items.integer(0), items.integer(1), items.text(2), items.text(3), items.text(4)});
    SqliteDb::Statement remove(db_, "DELETE FROM datasets WHERE id = ?");  // its items go with it
    remove.bind(1, out.id).step();
    t.commit();
    return out;
}

void DatasetStore::put(const StoredImport& stored) {
    SqliteDb::Transaction t(db_);
    SqliteDb::Statement dataset(db_,
                                "INSERT INTO datasets (id, name, path, format, options, content_hash, records, skipped_lines, imported_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    dataset.bind(1, stored.id).bind(2, stored.name).bind(3, stored.path).bind(4, stored.format).bind(5, stored.options);
    dataset.bind(6, stored.content_hash).bind(7, stored.records).bind(8, stored.skipped_lines).bind(9, stored.imported_at).step();
    SqliteDb::Statement item(db_, "INSERT INTO items (id, dataset_id, ordinal, source_id, prompt, record) VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& i : stored.items) {
        item.bind(1, i.id).bind(2, stored.id).bind(3, i.ordinal).bind(4, i.source_id).bind(5, i.prompt).bind(6, i.record).step();
        item.reset();
    }
    t.commit();
}

std::vector<DatasetRow> DatasetStore::all() {
    std::vector<DatasetRow> rows;
    SqliteDb::Statement s(db_,
                          "SELECT d.id, d.name, d.path, d.format, d.content_hash, d.records, d.skipped_lines, "
                          "(SELECT COUNT(*) FROM items i WHERE i.dataset_id = d.id) FROM datasets d ORDER BY d.id");
    while (s.step())
        rows.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), static_cast<std::size_t>(s.integer(5)),
                        static_cast<std::size_t>(s.integer(6)), static_cast<std::size_t>(s.integer(7))});
    return rows;
}

}  // namespace amalgam
