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

/** One answer labelled desirable or undesirable on its own, as KTO learns from it. */
struct UnpairedRow {
    std::string source;     // dataset name in the recipe
    std::string source_id;  // the dataset's own id of the prompt
    std::size_t answer = 0; // the answer's place among the prompt's answers
    std::string prompt;
    std::vector<Turn> context;
    std::string completion;
    bool desirable = false;
    std::optional<double> quality;  // the label's distance from the threshold; none for binary and ordinal data
};

/** What happened to a dataset's prompts; prompts = pairs + dropped_single_answer + dropped_ties.
 *  Unpaired rows are counted apart: a prompt may give both. */
struct SourceCounts {
    std::size_t prompts = 0;
    std::size_t dropped_single_answer = 0;  // fewer than two answers carrying the label
    std::size_t dropped_ties = 0;           // best and worst answers equal on the label
    std::size_t pairs = 0;
    std::size_t desirable = 0, undesirable = 0;  // unpaired rows
    std::size_t at_threshold = 0;                // answers whose label equals the threshold: neither
    std::size_t unpaired_only_prompts = 0;       // prompts that pairing drops but that give unpaired rows
};

struct UnifiedSource {
    std::vector<PreferencePair> pairs;
    std::vector<UnpairedRow> unpaired;  // prompt by prompt
    SourceCounts counts;
    std::optional<double> threshold;    // the one a numerical label was cut at
};

/** Projects one dataset onto binary preference (paper 2.3, A.2): numerical labels are sorted
 *  in the label's direction, the best and the worst answer become chosen and rejected, and
 *  their label gap is the prompt's quality (ranks order answers but give no quality).
 *  Binary prompts pass through. Graded data needs `label`; throws std::invalid_argument when
 *  it is missing or when the data has answers without any preference (evaluation-only).
 *
 *  The same feedback as unpaired rows: a binary pair's chosen answer is desirable and its
 *  rejected one undesirable, and so are a ranking's best and worst answers. Every answer with a
 *  numerical label is desirable when the label is better than the threshold and undesirable
 *  when worse, single answers that pairing drops included. The threshold is the label's, else
 *  the median of the dataset's labelled answers; a label with two values only (thumbs up and
 *  down, a 0/1 score) is cut halfway between them. */
UnifiedSource unify(const std::string& source, const std::vector<Prompt>& prompts,
                    const std::optional<LabelChoice>& label);

}  // namespace amalgam
