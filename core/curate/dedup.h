#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/curate/selection_record.h"

namespace amalgam {

/** What near-duplicate removal needs to know about one pair. */
struct DedupItem {
    const std::string* prompt;
    std::optional<double> quality;
};

/** Removes repeats within each k-means cluster, as SemDeDup does: in every cluster the pairs
 *  are taken best quality first (none last, ties to the earlier pair); a pair whose normalised
 *  prompt text equals a kept one's is an exact duplicate, and one whose L2-normalised embedding
 *  has a cosine of at least `threshold` with a kept one's is a near duplicate. Neighbours are
 *  searched exhaustively within cells: the whole of a cluster of up to 1,024 prompts; in a larger
 *  one, the cells of a k-means over it (about 256 prompts each, 3 Lloyd iterations), each prompt
 *  in the cells of its three nearest centroids, so that the work grows with the cluster rather
 *  than its square. One flag per item. */
std::vector<Duplicate> find_duplicates(const std::vector<DedupItem>& items, const std::vector<float>& embeddings, std::size_t dim,
                                       const std::vector<int>& cluster, double threshold);

/** Lower-cased text with runs of white space as one space, trimmed: what exact duplicates share. */
std::string normalised_prompt(const std::string& text);

}  // namespace amalgam
