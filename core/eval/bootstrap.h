#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace amalgam {

/** How intervals are drawn: resamples of the items with replacement, from a fixed seed, so the
 *  same results give the same intervals. */
struct BootstrapSettings {
    std::size_t resamples = 1000;
    std::uint64_t seed = 0;
    double level = 0.95;
};

/** A percentile interval. */
struct Interval {
    double lo = 0, hi = 0;
    bool excludes_zero() const { return lo > 0 || hi < 0; }
};

/** The scores whose mean a metric is, one per evaluation item, and the items' ids (a paired
 *  comparison needs the same items in the same order). */
struct ItemScores {
    std::vector<std::string> ids;
    std::vector<double> values;
};

/** The bootstrap interval of the mean of `values`: the level's central percentiles (linear
 *  between order statistics) of the means of `resamples` resamplings. Resample r draws its n
 *  indices in turn from one std::mt19937_64(seed), uniformly over [0, n). Empty values: nullopt. */
std::optional<Interval> bootstrap_interval(const std::vector<double>& values, const BootstrapSettings& settings);

/** The paired interval of mean(a) - mean(b): the bootstrap of the per-item differences, so
 *  each resample takes the same items from both. nullopt unless both hold the same items. */
std::optional<Interval> paired_difference_interval(const ItemScores& a, const ItemScores& b, const BootstrapSettings& settings);

}  // namespace amalgam
