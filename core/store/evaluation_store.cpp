#include "core/store/evaluation_store.h"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/store/stored_values.h"

namespace amalgam {

using stored::bind_optional;
using stored::now_utc;
using stored::optional_integer;

std::int64_t EvaluationStore::save(const std::string& model, const std::string& adapter, const std::string& label,
                                   const std::string& results_json, std::optional<std::int64_t> run, std::optional<std::int64_t> step) {
    auto results = nlohmann::json::parse(results_json);
    SqliteDb::Transaction t(db_);
    if (run && step) {
        SqliteDb::Statement replaced(db_, "DELETE FROM eval_results WHERE run_id = ? AND step = ? AND label = ?");
        replaced.bind(1, *run).bind(2, *step).bind(3, label);
        replaced.step();
    }
    SqliteDb::Statement insert(db_,
                               "INSERT INTO eval_results (model, adapter, label, metrics, counts, results, created_at, run_id, step) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, model);
    if (adapter.empty()) insert.bind(2, std::nullopt);
    else insert.bind(2, adapter);
    insert.bind(3, label).bind(4, results.at("metrics").dump()).bind(5, results.at("counts").dump()).bind(6, results_json).bind(7, now_utc());
    bind_optional(insert, 8, run);
    bind_optional(insert, 9, step);
    insert.step();
    const std::int64_t id = db_.last_insert_id();
    t.commit();
    return id;
}

std::vector<EvalRow> EvaluationStore::all() {
    std::vector<EvalRow> rows;
    SqliteDb::Statement s(db_, "SELECT id, label, metrics, counts, run_id, step FROM eval_results ORDER BY id");
    while (s.step()) rows.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), optional_integer(s, 4), optional_integer(s, 5)});
    return rows;
}

bool superseded(const EvalRow& row, const std::vector<EvalRow>& all) {
    if (!row.run || !row.step) return false;
    return std::any_of(all.begin(), all.end(), [&](const EvalRow& other) { return other.run == row.run && other.step && *other.step > *row.step; });
}

std::string EvaluationStore::document(std::int64_t id) {
    SqliteDb::Statement s(db_, "SELECT results FROM eval_results WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) throw std::invalid_argument("no stored evaluation " + std::to_string(id));
    return s.text(0);
}

}  // namespace amalgam
