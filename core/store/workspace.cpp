#include "core/store/workspace.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include <nlohmann/json.hpp>

#include "core/data/importer.h"
#include "core/data/prompt_json.h"
#include "core/store/schema.h"
#include "core/store/sqlite_db.h"
#include "core/store/stored_values.h"
#include "core/util/json_error.h"
#include "core/util/sha256.h"

namespace amalgam {

using stored::now_utc;
using stored::stored_json;
using stored::stored_name;

namespace {

/** What the stored copy of a file was read with: the field mapping, and the label it was checked for. */
std::string options_json(const ImportOptions& options) {
    return options.label.empty() ? nlohmann::json(options.fields).dump() : nlohmann::json{{"fields", options.fields}, {"label", options.label}}.dump();
}

}  // namespace

Workspace::Workspace(const std::filesystem::path& file) : db_(std::make_unique<SqliteDb>(file.string())) {
    db_->exec("PRAGMA journal_mode = WAL");
    db_->exec("PRAGMA foreign_keys = ON");
    migrate(*db_);
    jobs_ = std::make_unique<JobStore>(*db_);
}

Workspace::~Workspace() = default;

int Workspace::schema_version() { return amalgam::schema_version(*db_); }

std::int64_t Workspace::data_version() {
    SqliteDb::Statement s(*db_, "PRAGMA data_version");
    s.step();
    return s.integer(0);
}

std::optional<LoadedDataset> Workspace::stored_dataset(const std::filesystem::path& path, const std::string& format,
                                                      const ImportOptions& options) {
    SqliteDb::Statement find(*db_, "SELECT id, format, options, content_hash, records, skipped_lines FROM datasets WHERE path = ?");
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
    SqliteDb::Statement items(*db_, "SELECT record FROM items WHERE dataset_id = ? ORDER BY ordinal");
    items.bind(1, out.id);
    while (items.step()) d.prompts.push_back(stored_json(db_->path(), items.text(0), "a stored record of " + path.string(), prompt_from_json));
    return out;
}

std::int64_t Workspace::store_dataset(const std::string& name, const std::filesystem::path& path, const Dataset& d, const ImportOptions& options) {
    const std::string abs_path = std::filesystem::absolute(path).lexically_normal().string();
    const std::string options_text = options_json(options);
    SqliteDb::Transaction t(*db_);
    SqliteDb::Statement current(*db_, "SELECT id FROM datasets WHERE path = ? AND format = ? AND options = ? AND content_hash = ?");
    current.bind(1, abs_path).bind(2, d.format).bind(3, options_text).bind(4, d.content_hash);
    if (current.step()) return current.integer(0);
    SqliteDb::Statement remove(*db_, "DELETE FROM datasets WHERE path = ?");
    remove.bind(1, abs_path).step();
    SqliteDb::Statement insert(*db_,
                               "INSERT INTO datasets (name, path, format, options, content_hash, records, skipped_lines, imported_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, name).bind(2, abs_path).bind(3, d.format).bind(4, options_text).bind(5, d.content_hash)
        .bind(6, static_cast<std::int64_t>(d.report.lines)).bind(7, static_cast<std::int64_t>(d.report.skipped_lines))
        .bind(8, now_utc()).step();
    const std::int64_t id = db_->last_insert_id();
    SqliteDb::Statement item(*db_, "INSERT INTO items (dataset_id, ordinal, source_id, prompt, record) VALUES (?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < d.prompts.size(); ++i) {
        const Prompt& p = d.prompts[i];
        item.bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, p.source_id).bind(4, p.text).bind(5, to_json(p).dump());
        item.step();
        item.reset();
    }
    t.commit();
    return id;
}

LoadedDataset Workspace::load_or_import(const std::string& name, const std::filesystem::path& path, const std::string& format,
                                        const ImportOptions& options) {
    if (auto stored = stored_dataset(path, format, options)) return *stored;
    LoadedDataset out;
    out.dataset = import_dataset(path, format, options);  // may throw: nothing written yet
    out.id = store_dataset(name, path, out.dataset, options);
    out.imported = true;
    return out;
}

std::optional<Workspace::StoredImport> Workspace::take_import(const std::filesystem::path& path) {
    SqliteDb::Transaction t(*db_);
    SqliteDb::Statement find(*db_,
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
    SqliteDb::Statement items(*db_, "SELECT id, ordinal, source_id, prompt, record FROM items WHERE dataset_id = ? ORDER BY id");
    items.bind(1, out.id);
    while (items.step()) out.items.push_back({items.integer(0), items.integer(1), items.text(2), items.text(3), items.text(4)});
    SqliteDb::Statement remove(*db_, "DELETE FROM datasets WHERE id = ?");  // its items go with it
    remove.bind(1, out.id).step();
    t.commit();
    return out;
}

void Workspace::put_import(const StoredImport& stored) {
    SqliteDb::Transaction t(*db_);
    SqliteDb::Statement dataset(*db_,
                                "INSERT INTO datasets (id, name, path, format, options, content_hash, records, skipped_lines, imported_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    dataset.bind(1, stored.id).bind(2, stored.name).bind(3, stored.path).bind(4, stored.format).bind(5, stored.options);
    dataset.bind(6, stored.content_hash).bind(7, stored.records).bind(8, stored.skipped_lines).bind(9, stored.imported_at).step();
    SqliteDb::Statement item(*db_, "INSERT INTO items (id, dataset_id, ordinal, source_id, prompt, record) VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& i : stored.items) {
        item.bind(1, i.id).bind(2, stored.id).bind(3, i.ordinal).bind(4, i.source_id).bind(5, i.prompt).bind(6, i.record).step();
        item.reset();
    }
    t.commit();
}

std::vector<DatasetRow> Workspace::datasets() {
    std::vector<DatasetRow> rows;
    SqliteDb::Statement s(*db_,
                          "SELECT d.id, d.name, d.path, d.format, d.content_hash, d.records, d.skipped_lines, "
                          "(SELECT COUNT(*) FROM items i WHERE i.dataset_id = d.id) FROM datasets d ORDER BY d.id");
    while (s.step())
        rows.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), static_cast<std::size_t>(s.integer(5)),
                        static_cast<std::size_t>(s.integer(6)), static_cast<std::size_t>(s.integer(7))});
    return rows;
}

std::int64_t Workspace::save_recipe(const std::string& path, const std::string& text) {
    const std::string hash = sha256_hex(text);
    SqliteDb::Statement insert(*db_, "INSERT OR IGNORE INTO recipes (path, text, sha256, created_at) VALUES (?, ?, ?, ?)");
    insert.bind(1, path).bind(2, text).bind(3, hash).bind(4, now_utc()).step();
    SqliteDb::Statement find(*db_, "SELECT id FROM recipes WHERE sha256 = ?");
    find.bind(1, hash).step();
    return find.integer(0);
}

std::int64_t Workspace::save_selection(std::int64_t recipe_id, const SelectionRecord& selection) {
    const auto summary = nlohmann::json::parse(selection.summary_json);
    nlohmann::json inputs = nlohmann::json::array();
    for (const auto& s : selection.inputs) inputs.push_back({{"name", s.name}, {"path", s.path}, {"format", s.format}, {"sha256", s.sha256}});

    SqliteDb::Transaction t(*db_);
    SqliteDb::Statement insert(*db_,
                               "INSERT INTO selections (recipe_id, fraction, seed, hyperparameters, inputs, summary, created_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, recipe_id).bind(2, selection.fraction).bind(3, static_cast<std::int64_t>(selection.seed))
        .bind(4, summary["hyperparameters"].dump()).bind(5, inputs.dump()).bind(6, selection.summary_json).bind(7, now_utc()).step();
    const std::int64_t id = db_->last_insert_id();
    SqliteDb::Statement pair(*db_,
                             "INSERT INTO selection_pairs (selection_id, pair_id, source, source_id, cluster, x, y, quality, selected) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < selection.pairs.size(); ++i) {
        const auto& p = selection.pairs[i];
        pair.bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, p.placement.source).bind(4, p.placement.source_id)
            .bind(5, static_cast<std::int64_t>(p.placement.cluster)).bind(6, double(p.placement.x)).bind(7, double(p.placement.y));
        if (p.quality) pair.bind(8, *p.quality);
        else pair.bind(8, std::nullopt);
        pair.bind(9, static_cast<std::int64_t>(p.selected ? 1 : 0)).step();
        pair.reset();
    }
    t.commit();
    return id;
}

namespace {

void bind_optional(SqliteDb::Statement& s, int index, const std::optional<std::int64_t>& value) {
    if (value) s.bind(index, *value);
    else s.bind(index, std::nullopt);
}

std::optional<std::int64_t> optional_integer(const SqliteDb::Statement& s, int column) {
    if (s.is_null(column)) return std::nullopt;
    return s.integer(column);
}


}  // namespace

std::int64_t Workspace::save_eval_result(const std::string& model, const std::string& adapter, const std::string& label,
                                         const std::string& results_json, std::optional<std::int64_t> run,
                                         std::optional<std::int64_t> step) {
    auto results = nlohmann::json::parse(results_json);
    SqliteDb::Transaction t(*db_);
    if (run && step) {
        SqliteDb::Statement replaced(*db_, "DELETE FROM eval_results WHERE run_id = ? AND step = ? AND label = ?");
        replaced.bind(1, *run).bind(2, *step).bind(3, label);
        replaced.step();
    }
    SqliteDb::Statement insert(*db_,
                               "INSERT INTO eval_results (model, adapter, label, metrics, counts, results, created_at, run_id, step) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, model);
    if (adapter.empty()) insert.bind(2, std::nullopt);
    else insert.bind(2, adapter);
    insert.bind(3, label).bind(4, results.at("metrics").dump()).bind(5, results.at("counts").dump()).bind(6, results_json).bind(7, now_utc());
    bind_optional(insert, 8, run);
    bind_optional(insert, 9, step);
    insert.step();
    const std::int64_t id = db_->last_insert_id();
    t.commit();
    return id;
}

std::vector<Workspace::EvalRow> Workspace::eval_results() {
    std::vector<EvalRow> rows;
    SqliteDb::Statement s(*db_, "SELECT id, label, metrics, counts, run_id, step FROM eval_results ORDER BY id");
    while (s.step()) rows.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), optional_integer(s, 4), optional_integer(s, 5)});
    return rows;
}

bool Workspace::superseded(const EvalRow& row, const std::vector<EvalRow>& all) {
    if (!row.run || !row.step) return false;
    return std::any_of(all.begin(), all.end(), [&](const EvalRow& other) { return other.run == row.run && other.step && *other.step > *row.step; });
}

std::string Workspace::eval_result_document(std::int64_t id) {
    SqliteDb::Statement s(*db_, "SELECT results FROM eval_results WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) throw std::invalid_argument("no stored evaluation " + std::to_string(id));
    return s.text(0);
}

std::optional<Workspace::StoredCuration> Workspace::latest_curation() {
    SqliteDb::Statement latest(*db_, "SELECT id, hyperparameters FROM selections ORDER BY id DESC LIMIT 1");
    if (!latest.step()) return std::nullopt;
    StoredCuration out;
    out.selection_id = latest.integer(0);
    out.clusters_used = stored_json(db_->path(), latest.text(1), "a stored selection's settings", [](const nlohmann::json& j) { return j.value("clusters_used", 0); });
    SqliteDb::Statement pairs(*db_, "SELECT source, source_id, cluster, x, y FROM selection_pairs WHERE selection_id = ? ORDER BY pair_id");
    pairs.bind(1, out.selection_id);
    while (pairs.step())
        out.placements.push_back({pairs.text(0), pairs.text(1), static_cast<int>(pairs.integer(2)), static_cast<float>(pairs.real(3)),
                                  static_cast<float>(pairs.real(4))});
    return out;
}

std::optional<std::string> Workspace::setting(const std::string& key) {
    SqliteDb::Statement s(*db_, "SELECT value FROM settings WHERE key = ?");
    s.bind(1, key);
    if (!s.step()) return std::nullopt;
    return s.text(0);
}

void Workspace::set_setting(const std::string& key, const std::string& value) {
    SqliteDb::Statement s(*db_, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    s.bind(1, key).bind(2, value).step();
}

PairOverrides Workspace::pair_overrides() {
    PairOverrides out;
    SqliteDb::Statement s(*db_, "SELECT source, source_id, keep FROM pair_overrides");
    while (s.step()) out[{s.text(0), s.text(1)}] = s.integer(2) != 0;
    return out;
}

void Workspace::set_pair_overrides(const std::vector<std::pair<std::string, std::string>>& pairs, std::optional<bool> keep) {
    SqliteDb::Transaction t(*db_);
    SqliteDb::Statement s(*db_, keep ? "INSERT INTO pair_overrides (source, source_id, keep) VALUES (?, ?, ?) "
                                       "ON CONFLICT(source, source_id) DO UPDATE SET keep = excluded.keep"
                                     : "DELETE FROM pair_overrides WHERE source = ? AND source_id = ?");
    for (const auto& [source, source_id] : pairs) {
        s.bind(1, source).bind(2, source_id);
        if (keep) s.bind(3, static_cast<std::int64_t>(*keep ? 1 : 0));
        s.step();
        s.reset();
    }
    t.commit();
}

namespace {

/** Binds a run's columns as ?1 (label) to ?15 (template), in the order of kRunColumns. */
void bind_run(SqliteDb::Statement& s, const Workspace::RunRow& run) {
    s.bind(1, run.label).bind(2, to_string(run.stage)).bind(3, run.dir).bind(4, run.config);
    bind_optional(s, 5, run.parent_run);
    bind_optional(s, 6, run.reward_run);
    s.bind(7, run.data).bind(8, run.data_sha256).bind(9, run.recipe).bind(10, run.device).bind(11, run.dtype);
    bind_optional(s, 12, run.job_id);
    s.bind(13, run.model);
    bind_optional(s, 14, run.max_steps);
    s.bind(15, run.prompt_template);
}

const std::string kRunColumns =
    "label, stage, dir, config, parent_run, reward_run, data, data_sha256, recipe, device, dtype, job_id, model, max_steps, template";
const std::string kInsertRun = "INSERT INTO runs (" + kRunColumns + ", created_at, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";

}  // namespace

std::int64_t Workspace::add_run(const RunRow& run) {
    SqliteDb::Statement s(*db_, kInsertRun);
    bind_run(s, run);
    s.bind(16, now_utc()).bind(17, std::nullopt).step();
    return db_->last_insert_id();
}

Workspace::RunRow Workspace::record_run(const RunRow& run) {
    {
        SqliteDb::Statement s(*db_, kInsertRun +
                                        " ON CONFLICT(dir) DO UPDATE SET config = ?4, parent_run = ?5, reward_run = ?6, data = ?7, "
                                        "data_sha256 = ?8, device = ?10, dtype = ?11, model = ?13, max_steps = ?14, template = ?15 "
                                        "WHERE job_id IS NULL");
        bind_run(s, run);
        s.bind(16, now_utc()).bind(17, std::nullopt).step();
    }
    for (RunRow& stored : runs())
        if (stored.dir == run.dir) return stored;
    throw std::logic_error("run folder " + run.dir + " neither added nor found");
}

void Workspace::remove_run(std::int64_t id) {
    SqliteDb::Statement s(*db_, "DELETE FROM runs WHERE id = ?");
    s.bind(1, id).step();
}

void Workspace::restore_run(const RunRow& run) {
    SqliteDb::Statement s(*db_, kInsertRun);
    bind_run(s, run);
    s.bind(16, run.created_at).bind(17, run.id).step();
}

std::vector<Workspace::RunRow> Workspace::runs() {
    std::vector<RunRow> rows;
    SqliteDb::Statement s(*db_, "SELECT id, " + kRunColumns + ", created_at FROM runs ORDER BY id");
    while (s.step()) {
        RunRow r;
        r.id = s.integer(0);
        r.label = s.text(1);
        r.stage = stored_name<Stage>(db_->path(), s.text(2));
        r.dir = s.text(3);
        r.config = s.text(4);
        r.parent_run = optional_integer(s, 5);
        r.reward_run = optional_integer(s, 6);
        r.data = s.text(7);
        r.data_sha256 = s.text(8);
        r.recipe = s.text(9);
        r.device = s.text(10);
        r.dtype = s.text(11);
        r.job_id = optional_integer(s, 12);
        r.model = s.text(13);
        r.max_steps = optional_integer(s, 14);
        r.prompt_template = s.text(15);
        r.created_at = s.text(16);
        rows.push_back(std::move(r));
    }
    return rows;
}

}  // namespace amalgam
