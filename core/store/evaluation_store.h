#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store/sqlite_db.h"

namespace amalgam {

/** One stored evaluation, for comparison tables. */
struct EvalRow {
    std::int64_t id = 0;
    std::string label;
    std::string metrics_json;
    std::string counts_json;
    std::optional<std::int64_t> run;
    std::optional<std::int64_t> step;
};

/** Whether a run has an evaluation at a later step than `row`'s among `all` (a PPO run
 *  evaluates itself every eval_every steps): the rows a view of each run's last step leaves out. */
bool superseded(const EvalRow& row, const std::vector<EvalRow>& all);

/** The evaluations of base models and adapters, each with its whole results.json: one of the
 *  stores a Workspace keeps over its connection. */
class EvaluationStore {
public:
    explicit EvaluationStore(SqliteDb& db) : db_(db) {}

    /** Stores an evaluation (results.json text with metrics, counts and items); `run` and `step`
     *  name the training run and step its adapter came from, when there is one. It replaces an
     *  evaluation of the same run and step under the same label: a resumed run evaluates the
     *  steps after its checkpoint again. */
    std::int64_t save(const std::string& model, const std::string& adapter, const std::string& label, const std::string& results_json,
                      std::optional<std::int64_t> run = std::nullopt, std::optional<std::int64_t> step = std::nullopt);
    std::vector<EvalRow> all();
    /** A stored evaluation's whole results.json, its per-item records included. */
    std::string document(std::int64_t id);

private:
    SqliteDb& db_;
};

}  // namespace amalgam
