#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/data/label_choice.h"
#include "core/data/record.h"

namespace amalgam {

/** One preference pair of the unified dataset. */
struct PreferencePair {
    std::string source;     // dataset name in the recipe
    std::string source_id;  // the dataset's own id of the prompt
    std::string prompt;
    std::vector<Turn> context;
    std::string chosen;
    std::string rejected;
    std::optional<double> quality;  // largest label gap; none for binary and ordinal data
};

/** What happened to a dataset's prompts; prompts = pairs + dropped_single_answer + dropped_ties. */
struct SourceCounts {
    std::size_t prompts = 0;
    std::size_t dropped_single_answer = 0;  // fewer than two answers carrying the label
    std::size_t dropped_ties = 0;           // best and worst answers equal on the label
    std::size_t pairs = 0;
};

struct UnifiedSource {
    std::vector<PreferencePair> pairs;
    SourceCounts counts;
};

/** Projects one dataset onto binary preference (paper 2.3, A.2): numerical labels are sorted
 *  in the label's direction, the best and the worst answer become chosen and rejected, and
 *  their label gap is the prompt's quality (ranks order answers but give no quality).
 *  Binary prompts pass through. Graded data needs `label`; throws std::invalid_argument when
 *  it is missing or when the data has answers without any preference (evaluation-only). */
UnifiedSource unify(const std::string& source, const std::vector<Prompt>& prompts,
                    const std::optional<LabelChoice>& label);

}  // namespace amalgam
