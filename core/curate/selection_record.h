#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace amalgam {

/** Whether a pair repeats one kept before it in its cluster, and how (core/curate/dedup.h). */
enum class Duplicate : std::uint8_t {
    None,
    Exact,  ///< the same prompt text, case and runs of white space aside
    Near    ///< a prompt embedding within the cosine threshold of a kept one's
};

/** A researcher's decisions on single pairs, keyed by (source, source_id) so that they outlive
 *  any re-clustering: true forces a pair into D_train, false excludes it. */
using PairOverrides = std::map<std::pair<std::string, std::string>, bool>;

/** Where a stored curation put one pair: enough to rebuild it without embedding again. */
struct PairPlacement {
    std::string source;
    std::string source_id;
    int cluster = 0;
    float x = 0, y = 0;
    Duplicate duplicate = Duplicate::None;
};

/** A dataset a selection was made from, as the summary names it. */
struct SelectionInput {
    std::string name, path, format, sha256;
};

/** One pair of a selection: where it went, its quality, its fate. */
struct SelectedPair {
    PairPlacement placement;
    std::optional<double> quality;
    bool selected = false;
};

/** A selection as the workspace keeps it: plain values, made from a curation by
 *  selection_record() (curation_output.h), so that the store needs none of curation's code. */
struct SelectionRecord {
    std::vector<SelectionInput> inputs;
    std::vector<SelectedPair> pairs;  ///< by pair id
    std::vector<PairPlacement> prompt_placements;  ///< prompts that give unpaired rows but no pair
    double fraction = 1.0;
    std::uint64_t seed = 0;
    std::string summary_json;  ///< summary.json, whose "hyperparameters" the store keeps apart
};

}  // namespace amalgam
