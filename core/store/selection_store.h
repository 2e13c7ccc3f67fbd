#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/curate/selection_record.h"
#include "core/store/sqlite_db.h"

namespace amalgam {

/** A stored curation's map: the placements of its pairs and the clusters it used. */
struct StoredCuration {
    std::int64_t selection_id = 0;
    int clusters_used = 0;
    std::vector<PairPlacement> placements;  ///< by pair id
    std::vector<PairPlacement> prompt_placements;  ///< prompts that give unpaired rows but no pair
};

/** Recipes, the selections made with them (every pair's cluster, position and fate), and the
 *  pairs a researcher forced in or out: one of the stores a Workspace keeps over its connection. */
class SelectionStore {
public:
    explicit SelectionStore(SqliteDb& db) : db_(db) {}

    /** Stores a recipe text once (keyed by its hash) and returns its id. */
    std::int64_t save_recipe(const std::string& path, const std::string& text);
    /** Stores a selection: hyperparameters, inputs, summary and every pair's outcome. */
    std::int64_t save(std::int64_t recipe_id, const SelectionRecord& selection);
    /** The most recent stored selection's map, if there is one. */
    std::optional<StoredCuration> latest();

    PairOverrides overrides();
    /** Forces (true) or excludes (false) pairs, or with nullopt forgets the decision. */
    void set_overrides(const std::vector<std::pair<std::string, std::string>>& pairs, std::optional<bool> keep);

private:
    SqliteDb& db_;
};

}  // namespace amalgam
