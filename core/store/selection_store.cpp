#include "core/store/selection_store.h"

#include <nlohmann/json.hpp>

#include "core/store/stored_values.h"
#include "core/util/sha256.h"

namespace amalgam {

using stored::now_utc;
using stored::stored_json;

std::int64_t SelectionStore::save_recipe(const std::string& path, const std::string& text) {
    const std::string hash = sha256_hex(text);
    SqliteDb::Statement insert(db_, "INSERT OR IGNORE INTO recipes (path, text, sha256, created_at) VALUES (?, ?, ?, ?)");
    insert.bind(1, path).bind(2, text).bind(3, hash).bind(4, now_utc()).step();
    SqliteDb::Statement find(db_, "SELECT id FROM recipes WHERE sha256 = ?");
    find.bind(1, hash).step();
    return find.integer(0);
}

std::int64_t SelectionStore::save(std::int64_t recipe_id, const SelectionRecord& selection) {
    const auto summary = nlohmann::json::parse(selection.summary_json);
    nlohmann::json inputs = nlohmann::json::array();
    for (const auto& s : selection.inputs) inputs.push_back({{"name", s.name}, {"path", s.path}, {"format", s.format}, {"sha256", s.sha256}});

    SqliteDb::Transaction t(db_);
    SqliteDb::Statement insert(db_,
                               "INSERT INTO selections (recipe_id, fraction, seed, hyperparameters, inputs, summary, created_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, recipe_id).bind(2, selection.fraction).bind(3, static_cast<std::int64_t>(selection.seed))
        .bind(4, summary["hyperparameters"].dump()).bind(5, inputs.dump()).bind(6, selection.summary_json).bind(7, now_utc()).step();
    const std::int64_t id = db_.last_insert_id();
    SqliteDb::Statement pair(db_,
                             "INSERT INTO selection_pairs (selection_id, pair_id, source, source_id, cluster, x, y, quality, selected, "
                             "duplicate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < selection.pairs.size(); ++i) {
        const auto& p = selection.pairs[i];
        pair.bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, p.placement.source).bind(4, p.placement.source_id)
            .bind(5, static_cast<std::int64_t>(p.placement.cluster)).bind(6, double(p.placement.x)).bind(7, double(p.placement.y));
        if (p.quality) pair.bind(8, *p.quality);
        else pair.bind(8, std::nullopt);
        pair.bind(9, static_cast<std::int64_t>(p.selected ? 1 : 0)).bind(10, static_cast<std::int64_t>(p.placement.duplicate)).step();
        pair.reset();
    }
    SqliteDb::Statement prompt(db_, "INSERT INTO selection_prompts (selection_id, prompt_id, source, source_id, cluster, x, y) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < selection.prompt_placements.size(); ++i) {
        const PairPlacement& p = selection.prompt_placements[i];
        prompt.bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, p.source).bind(4, p.source_id)
            .bind(5, static_cast<std::int64_t>(p.cluster)).bind(6, double(p.x)).bind(7, double(p.y)).step();
        prompt.reset();
    }
    t.commit();
    return id;
}

std::optional<StoredCuration> SelectionStore::latest() {
    SqliteDb::Statement latest(db_, "SELECT id, hyperparameters FROM selections ORDER BY id DESC LIMIT 1");
    if (!latest.step()) return std::nullopt;
    StoredCuration out;
    out.selection_id = latest.integer(0);
    out.clusters_used = stored_json(db_.path(), latest.text(1), "a stored selection's settings", [](const nlohmann::json& j) { return j.value("clusters_used", 0); });
    auto read = [&](const char* sql, std::vector<PairPlacement>& into) {
        SqliteDb::Statement rows(db_, sql);
        rows.bind(1, out.selection_id);
        while (rows.step())
            into.push_back({rows.text(0), rows.text(1), static_cast<int>(rows.integer(2)), static_cast<float>(rows.real(3)),
                            static_cast<float>(rows.real(4)), static_cast<Duplicate>(rows.integer(5))});
    };
    read("SELECT source, source_id, cluster, x, y, duplicate FROM selection_pairs WHERE selection_id = ? ORDER BY pair_id", out.placements);
    read("SELECT source, source_id, cluster, x, y, 0 FROM selection_prompts WHERE selection_id = ? ORDER BY prompt_id",
         out.prompt_placements);
    return out;
}

PairOverrides SelectionStore::overrides() {
    PairOverrides out;
    SqliteDb::Statement s(db_, "SELECT source, source_id, keep FROM pair_overrides");
    while (s.step()) out[{s.text(0), s.text(1)}] = s.integer(2) != 0;
    return out;
}

void SelectionStore::set_overrides(const std::vector<std::pair<std::string, std::string>>& pairs, std::optional<bool> keep) {
    SqliteDb::Transaction t(db_);
    SqliteDb::Statement s(db_, keep ? "INSERT INTO pair_overrides (source, source_id, keep) VALUES (?, ?, ?) "
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

}  // namespace amalgam
