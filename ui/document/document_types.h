#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/data/label_choice.h"

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

}  // namespace amalgam
