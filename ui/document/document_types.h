#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/data/label_choice.h"
#include "core/store/evaluation_store.h"

namespace amalgam {

/** A pair of the curation as the workspace keys it: its source and its id there. */
using PairKey = std::pair<std::string, std::string>;
/** Per pair: forced (true), excluded (false) or left to the selection (nullopt). */
using PairDecisions = std::map<PairKey, std::optional<bool>>;

/** The label that orders a graded dataset, its direction, and where its answers turn
 *  undesirable for unpaired rows (none: the median). */
struct LabelSetting {
    std::optional<std::string> label;
    std::optional<Direction> direction;
    std::optional<double> threshold = std::nullopt;

    bool operator==(const LabelSetting& o) const { return label == o.label && direction == o.direction && threshold == o.threshold; }
};

/** The evaluations a workspace holds, for comparison: their rows, and the whole results.json
 *  of one (its items) when a view needs it. */
struct StoredEvaluations {
    std::vector<EvalRow> rows;
    std::function<std::string(std::int64_t)> document;
};

/** What a workspace holds of its evaluations, read through its store. */
inline StoredEvaluations stored_evaluations(EvaluationStore& store) {
    return {store.all(), [&store](std::int64_t id) { return store.document(id); }};
}

}  // namespace amalgam
