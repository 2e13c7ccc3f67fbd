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
 *  has a cosine of at least `threshold` with a kept one's is a near duplicate. The neighbours
 *  come from faiss: an exhaustive inner-product search in a small cluster, an inverted-file
 *  index (one list per 1,000 prompts, 8 lists probed) in a large one, so that the work grows
 *  with the cluster rather than its square. One flag per item. */
std::vector<Duplicate> find_duplicates(const std::vector<DedupItem>& items, const std::vector<float>& embeddings, std::size_t dim,
                                       const std::vector<int>& cluster, double threshold);

/** Lower-cased text with runs of white space as one space, trimmed: what exact duplicates share. */
std::string normalised_prompt(const std::string& text);

}  // namespace amalgam
