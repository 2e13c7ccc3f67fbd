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
    bool duplicate = false;  ///< never taken by a cut (a decision may still force it in)
};

/** The order a cut takes items in (paper 2.4, 2.5, A.3): every (source, cluster) stratum
 *  sorted once, best quality first, then the items without a quality in a seeded random order,
 *  then duplicates, which a cut neither takes nor counts in its quota.
 *  A cut at any fraction keeps the first round(fraction * n) of every stratum without sorting
 *  again, which is what makes a slider over a million pairs interactive. */
class StratifiedOrder {
public:
    struct Stratum {
        std::string source;
        int cluster = 0;
        std::size_t begin = 0, end = 0;  ///< its items' range in order()
        std::size_t cut_end = 0;         ///< where its duplicates start, which no cut takes
    };

    StratifiedOrder(const std::vector<SelectionItem>& items, std::uint64_t seed);

    /** A keep flag per item at `fraction` (0 to 1). */
    std::vector<bool> cut(double fraction) const;
    /** The strata, by source and then cluster. */
    const std::vector<Stratum>& strata() const { return strata_; }
    /** Item indices, stratum after stratum, each stratum in the order its cut takes them. */
    const std::vector<std::uint32_t>& order() const { return order_; }

private:
    std::vector<Stratum> strata_;
    std::vector<std::uint32_t> order_;
};

/** Quality and diversity selection: within every (source, cluster) stratum of n items keep
 *  round(fraction * n) in StratifiedOrder's order. Returns a keep flag per item. */
std::vector<bool> select_pairs(const std::vector<SelectionItem>& items, double fraction, std::uint64_t seed);

/** round(fraction * n), halves away from zero. */
std::size_t stratum_quota(double fraction, std::size_t n);

}  // namespace amalgam
