#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/curate/selection.h"
#include "core/curate/selection_record.h"
#include "core/embed/embedder.h"
#include "core/data/label_choice.h"
#include "core/data/record.h"
#include "core/data/unify.h"
#include "core/util/progress.h"

namespace amalgam {

/** A training dataset going into a curation, with the label that orders it if graded. */
struct CurationSource {
    std::string name;
    std::string path;
    Dataset dataset;
    std::optional<LabelChoice> label;
};

/** The diversity settings of a recipe's curate: section. */
struct CurationSettings {
    EmbedderKind embedder = EmbedderKind::Hashing;
    std::string model;  ///< model folder for a transformer embedder
    int clusters = 10;
    int restarts = 10;
    std::uint64_t seed = 0;
    std::optional<double> dedup = std::nullopt;  ///< the cosine at which a prompt repeats a kept one (off when none)
};

/** What a source contributed, for the summary. */
struct SourceReport {
    std::string name;
    std::string path;
    std::string format;
    std::string content_hash;
    ImportReport import;
    std::optional<LabelChoice> label;
    std::optional<double> threshold;  ///< where a numerical label was cut for unpaired rows
    SourceCounts counts;
};

/** The unified dataset with its clusters and map coordinates: everything but the cut, which
 *  select() makes for any fraction without embedding or clustering again. */
struct Curation {
    CurationSettings settings;
    int clusters_used = 0;
    std::vector<SourceReport> sources;
    std::vector<PreferencePair> pairs;  ///< sources in recipe order, prompts in file order; id = index
    std::vector<int> cluster;           ///< per pair
    std::vector<float> xy;              ///< per pair, the 2D projection (x, y)
    std::vector<Duplicate> duplicate;   ///< per pair: whether it repeats a kept pair of its cluster

    std::vector<UnpairedRow> unpaired;   ///< sources in recipe order, prompts in file order; id = index
    std::vector<int> unpaired_cluster;   ///< per row, its prompt's cluster
    std::vector<float> unpaired_xy;      ///< per row, its prompt's place on the map
    /// Where the prompts that give unpaired rows but no pair went: placed by the pairs'
    /// clusters and plane, and stored so that a restore needs no embedding.
    std::vector<PairPlacement> prompt_placements;

    /** The cut at `fraction` (paper A.3); then excluded pairs leave and forced ones join,
     *  whatever their stratum's quota. */
    std::vector<bool> select(double fraction, const PairOverrides& overrides = {}) const;
    /** The same cut of the unpaired rows, within (source, cluster) strata of rows. */
    std::vector<bool> select_unpaired(double fraction) const;

    /** The order every cut of the pairs, or of the unpaired rows, takes: sorted on first use
     *  (from any thread), then kept. A curation is not changed once it has been cut. */
    const StratifiedOrder& pair_order() const;
    const StratifiedOrder& unpaired_order() const;

private:
    using PairIndex = std::unordered_multimap<std::string, std::size_t>;  ///< source \x1f source_id -> pair ids
    const PairIndex& pair_index() const;

    mutable std::shared_ptr<const StratifiedOrder> pair_order_, unpaired_order_;
    mutable std::shared_ptr<const PairIndex> pair_index_;
};

/** How a selection splits: pairs and selected pairs per source (in Curation::sources order)
 *  and per cluster, and the same of the unpaired rows. Summaries and the workbench's
 *  preview both read these. */
struct SelectionCounts {
    std::vector<std::size_t> source_pairs, source_selected;
    std::vector<std::size_t> cluster_pairs, cluster_selected;
    std::vector<std::size_t> source_unpaired, source_unpaired_selected;
    std::vector<std::size_t> cluster_unpaired, cluster_unpaired_selected;
    std::size_t selected = 0, unpaired_selected = 0;
};
SelectionCounts count_selection(const Curation& curation, const std::vector<bool>& selected,
                                const std::vector<bool>& unpaired_selected);

/** The exact and the near duplicates of each source (in Curation::sources order). */
struct DuplicateCounts {
    std::size_t exact = 0, near = 0;
};
std::vector<DuplicateCounts> count_duplicates(const Curation& curation);

class Embedder;

/** Unify, embed, cluster and project (paper 2.3-2.5); with settings.dedup, mark the pairs that
 *  repeat a kept pair of their cluster (find_duplicates), which no cut takes. The prompts that
 *  give only unpaired rows are embedded too and join the pairs' nearest cluster and plane. */
Curation curate(const std::vector<CurationSource>& sources, const CurationSettings& settings, const Embedder& embedder,
                Progress& progress);

/** The same curation rebuilt from stored placements: unify again (cheap), take every pair's
 *  cluster and position from `placements` and those of the prompts without a pair from
 *  `prompt_placements`. Throws std::invalid_argument when the datasets no longer give the
 *  stored pairs or prompts (a file changed since). */
Curation restore_curation(const std::vector<CurationSource>& sources, const CurationSettings& settings, int clusters_used,
                          const std::vector<PairPlacement>& placements, const std::vector<PairPlacement>& prompt_placements);

}  // namespace amalgam
