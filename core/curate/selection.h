#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace amalgam {

/** What selection needs to know about one pair. */
struct SelectionItem {
    std::string source;
    std::string source_id;  // makes the seeded order independent of input order
    int cluster = 0;
    std::optional<double> quality;
};

/** Quality and diversity selection (paper 2.4, 2.5, A.3): within every (source, cluster)
 *  stratum of n items keep round(fraction * n), best quality first; items without a quality
 *  follow in a seeded random order. Returns a keep flag per item. */
std::vector<bool> select_pairs(const std::vector<SelectionItem>& items, double fraction, std::uint64_t seed);

/** round(fraction * n), halves away from zero. */
std::size_t stratum_quota(double fraction, std::size_t n);

}  // namespace amalgam
