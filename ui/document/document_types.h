#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include <cstdint>
#include <functional>
#include <vector>

#include "core/data/label_choice.h"
#include "core/store/workspace.h"

namespace amalgam {

/** A pair of the curation as the workspace keys it: its source and its id there. */
using PairKey = std::pair<std::string, std::string>;
/** Per pair: forced (true), excluded (false) or left to the selection (nullopt). */
using PairDecisions = std::map<PairKey, std::optional<bool>>;

/** The label that orders a graded dataset and its direction. */
struct LabelSetting {
    std::optional<std::string> label;
    std::optional<Direction> direction;
};

/** The evaluations a workspace holds, for comparison: their rows, and the whole results.json
 *  of one (its items) when a view needs it. */
struct StoredEvaluations {
    std::vector<Workspace::EvalRow> rows;
    std::function<std::string(std::int64_t)> document;
};

/** What a workspace holds of its evaluations, read through it. */
inline StoredEvaluations stored_evaluations(Workspace& workspace) {
    return {workspace.eval_results(), [&workspace](std::int64_t id) { return workspace.eval_result_document(id); }};
}

}  // namespace amalgam
