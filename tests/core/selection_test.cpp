#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "core/curate/selection.h"

namespace amalgam {
namespace {

TEST(Selection, QuotaRoundsHalfUp) {
    EXPECT_EQ(stratum_quota(0.2, 10), 2u);
    EXPECT_EQ(stratum_quota(0.2, 12), 2u);   // 2.4
    EXPECT_EQ(stratum_quota(0.2, 13), 3u);   // 2.6
    EXPECT_EQ(stratum_quota(0.5, 5), 3u);    // 2.5
    EXPECT_EQ(stratum_quota(0.6, 5), 3u);
    EXPECT_EQ(stratum_quota(1.0, 7), 7u);
    EXPECT_EQ(stratum_quota(0.4, 1), 0u);
}

TEST(Selection, BestQualityFirstInEveryStratum) {
    std::vector<SelectionItem> items;
    for (int i = 0; i < 10; ++i) items.push_back({"oasst", "o" + std::to_string(i), i % 2, double(i)});
    auto keep = select_pairs(items, 0.4, 0);
    // cluster 0 holds qualities 0,2,4,6,8 and cluster 1 holds 1,3,5,7,9: keep the top 2 of each.
    std::vector<bool> expected = {false, false, false, false, false, false, true, true, true, true};
    EXPECT_EQ(keep, expected);
}

TEST(Selection, StrataAreSourceAndCluster) {
    std::vector<SelectionItem> items;
    for (int i = 0; i < 10; ++i) items.push_back({"a", std::to_string(i), 0, std::nullopt});
    for (int i = 0; i < 5; ++i) items.push_back({"b", std::to_string(i), 0, std::nullopt});
    auto keep = select_pairs(items, 0.2, 3);
    std::size_t a = 0, b = 0;
    for (std::size_t i = 0; i < items.size(); ++i) (items[i].source == "a" ? a : b) += keep[i];
    EXPECT_EQ(a, 2u);
    EXPECT_EQ(b, 1u);
}

TEST(Selection, UnscoredItemsFollowASeededOrder) {
    std::vector<SelectionItem> items;
    for (int i = 0; i < 200; ++i) items.push_back({"w", "q" + std::to_string(i), 0, std::nullopt});
    auto a = select_pairs(items, 0.3, 1);
    EXPECT_EQ(a, select_pairs(items, 0.3, 1));
    EXPECT_NE(a, select_pairs(items, 0.3, 2));
    // The order belongs to the items, not to their position in the input.
    std::vector<SelectionItem> reversed(items.rbegin(), items.rend());
    auto r = select_pairs(reversed, 0.3, 1);
    for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(a[i], r[items.size() - 1 - i]);
}

TEST(Selection, ScoredBeforeUnscoredAndFullFractionKeepsAll) {
    std::vector<SelectionItem> items = {{"s", "x", 0, std::nullopt}, {"s", "y", 0, 0.1}, {"s", "z", 0, std::nullopt}};
    EXPECT_EQ(select_pairs(items, 0.34, 0), (std::vector<bool>{false, true, false}));
    EXPECT_EQ(select_pairs(items, 1.0, 0), (std::vector<bool>{true, true, true}));
    EXPECT_THROW(select_pairs(items, 1.5, 0), std::invalid_argument);
}

TEST(Selection, AKeptOrderCutsEveryStratumBestFirstAtAnyFraction) {
    std::vector<SelectionItem> items;
    for (int i = 0; i < 300; ++i)  // sources interleaved, some without quality, qualities tied
        items.push_back({i % 3 ? "a" : "b", "id" + std::to_string(i), i % 4,
                         i % 5 ? std::optional<double>((i * 37) % 11) : std::nullopt});
    const StratifiedOrder order(items, 9);
    ASSERT_EQ(order.order().size(), items.size());
    std::size_t covered = 0;
    for (const auto& s : order.strata()) {
        covered += s.end - s.begin;
        for (std::size_t r = s.begin; r < s.end; ++r) {
            EXPECT_EQ(items[order.order()[r]].source, s.source);
            EXPECT_EQ(items[order.order()[r]].cluster, s.cluster);
        }
    }
    EXPECT_EQ(order.strata().size(), 8u);  // 2 sources x 4 clusters
    EXPECT_EQ(covered, items.size());
    // A kept item is never worse than one left out of its stratum (scored before unscored).
    auto rank = [&](std::size_t i) { return items[i].quality ? *items[i].quality : -1.0; };
    for (double fraction : {0.0, 0.13, 0.5, 0.77, 1.0}) {
        const std::vector<bool> cut = order.cut(fraction);
        for (const auto& s : order.strata()) {
            std::size_t kept = 0;
            double worst_kept = 1e9, best_left = -1e9;
            for (std::size_t r = s.begin; r < s.end; ++r) {
                const std::size_t i = order.order()[r];
                kept += cut[i];
                if (cut[i]) worst_kept = std::min(worst_kept, rank(i));
                else best_left = std::max(best_left, rank(i));
            }
            EXPECT_EQ(kept, stratum_quota(fraction, s.end - s.begin)) << fraction;
            EXPECT_GE(worst_kept, best_left) << fraction << " " << s.source << " " << s.cluster;
        }
    }
}

TEST(Selection, DuplicatesAreNeitherCutNorCountedInTheQuota) {
    std::vector<SelectionItem> items;
    for (int i = 0; i < 10; ++i) items.push_back({"s", std::to_string(i), 0, double(i), i >= 6});  // 6 to 9 repeat others
    const StratifiedOrder order(items, 0);
    EXPECT_EQ(order.strata().at(0).cut_end - order.strata().at(0).begin, 6u);
    // Half of the six that are no repeats: the best three of them, though 6 to 9 score higher.
    EXPECT_EQ(order.cut(0.5), (std::vector<bool>{false, false, false, true, true, true, false, false, false, false}));
    const std::vector<bool> all = order.cut(1.0);
    EXPECT_EQ(std::count(all.begin(), all.end(), true), 6);
}

}  // namespace
}  // namespace amalgam
