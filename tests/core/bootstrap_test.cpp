#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/eval/bootstrap.h"
#include "core/eval/comparison_table.h"

namespace amalgam {
namespace {

/** The interval as a plain loop computes it: draw each resample into its own vector, average
 *  it, sort the averages, and read the percentiles off by linear interpolation. */
Interval plain_interval(const std::vector<double>& values, std::size_t resamples, std::uint64_t seed, double level) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, values.size() - 1);
    std::vector<double> means;
    for (std::size_t b = 0; b < resamples; ++b) {
        std::vector<double> sample;
        for (std::size_t i = 0; i < values.size(); ++i) sample.push_back(values[pick(rng)]);
        means.push_back(std::accumulate(sample.begin(), sample.end(), 0.0) / static_cast<double>(sample.size()));
    }
    std::sort(means.begin(), means.end());
    auto percentile = [&](double p) {
        const double rank = p * static_cast<double>(means.size() - 1);
        const double low = means[static_cast<std::size_t>(rank)];
        const double high = means[std::min(static_cast<std::size_t>(rank) + 1, means.size() - 1)];
        return low + (rank - std::floor(rank)) * (high - low);
    };
    return {percentile((1 - level) / 2), percentile((1 + level) / 2)};
}

std::vector<double> bernoulli(std::size_t n, double p, unsigned seed) {
    std::mt19937 rng(seed);
    std::bernoulli_distribution draw(p);
    std::vector<double> v(n);
    for (double& x : v) x = draw(rng) ? 1.0 : 0.0;
    return v;
}

TEST(Bootstrap, IntervalIsThePlainResamplingLoops) {
    const std::vector<double> skewed = {0.01, 0.02, 0.02, 0.03, 0.05, 0.08, 0.13, 0.21, 0.34, 0.55, 0.89, 1.44, 2.33};
    for (std::uint64_t seed : {0u, 7u}) {
        BootstrapSettings settings;
        settings.seed = seed;
        const Interval expected = plain_interval(skewed, 1000, seed, 0.95);
        const auto got = bootstrap_interval(skewed, settings);
        ASSERT_TRUE(got);
        EXPECT_DOUBLE_EQ(got->lo, expected.lo) << seed;
        EXPECT_DOUBLE_EQ(got->hi, expected.hi) << seed;
    }
    BootstrapSettings ninety{200, 3, 0.9};
    const Interval expected = plain_interval(skewed, 200, 3, 0.9);
    EXPECT_DOUBLE_EQ(bootstrap_interval(skewed, ninety)->lo, expected.lo);
    EXPECT_DOUBLE_EQ(bootstrap_interval(skewed, ninety)->hi, expected.hi);
    EXPECT_FALSE(bootstrap_interval({}, {}));
}

TEST(Bootstrap, AccuracyIntervalMatchesTheNormalApproximation) {
    // 2,000 answers, about 30% right: the interval's half-width is close to 1.96 sqrt(p(1-p)/n).
    const auto answers = bernoulli(2000, 0.3, 11);
    const double p = std::accumulate(answers.begin(), answers.end(), 0.0) / 2000.0;
    const double half = 1.96 * std::sqrt(p * (1 - p) / 2000.0);
    const auto i = bootstrap_interval(answers, {});
    ASSERT_TRUE(i);
    EXPECT_NEAR(i->lo, p - half, 0.1 * half);
    EXPECT_NEAR(i->hi, p + half, 0.1 * half);
}

TEST(Bootstrap, PairedDifferenceSeesWhatTwoSeparateIntervalsMiss) {
    // Two models that differ by a small shift on every item: their own intervals overlap, the
    // paired difference is exactly the shift.
    ItemScores a, b;
    const auto noise = bernoulli(300, 0.5, 5);
    for (std::size_t i = 0; i < noise.size(); ++i) {
        a.ids.push_back("item" + std::to_string(i));
        a.values.push_back(noise[i] + 0.01);
        b.values.push_back(noise[i]);
    }
    b.ids = a.ids;
    const auto own_a = bootstrap_interval(a.values, {}), own_b = bootstrap_interval(b.values, {});
    EXPECT_LT(own_a->lo, own_b->hi) << "the separate intervals overlap";
    const auto d = paired_difference_interval(a, b, {});
    ASSERT_TRUE(d);
    EXPECT_NEAR(d->lo, 0.01, 1e-12);
    EXPECT_NEAR(d->hi, 0.01, 1e-12);
    EXPECT_TRUE(d->excludes_zero());
    // The paired interval is the plain loop's over the differences.
    b.values[0] = 2;
    std::vector<double> differences;
    for (std::size_t i = 0; i < a.values.size(); ++i) differences.push_back(a.values[i] - b.values[i]);
    const Interval expected = plain_interval(differences, 1000, 0, 0.95);
    EXPECT_DOUBLE_EQ(paired_difference_interval(a, b, {})->lo, expected.lo);
    EXPECT_DOUBLE_EQ(paired_difference_interval(a, b, {})->hi, expected.hi);
    // Other items: no pairing.
    b.ids[4] = "another";
    EXPECT_FALSE(paired_difference_interval(a, b, {}));
}

/** A results.json of three WinoBias pairs, two WinoGrande items and three Winogender ones. */
nlohmann::json results(double shift) {
    auto side = [](const char* source, double occupation, double cluster, bool correct) {
        return nlohmann::json{{"source", source}, {"occupation_logprob", occupation}, {"cluster_logprob", cluster}, {"correct", correct}};
    };
    nlohmann::json items = {
        {"winobias",
         {{{"pair", 0}, {"kl", 0.5}, {"pro", side("p:1", -1.0 + shift, -4.0, true)}, {"anti", side("a:1", -2.0, -5.0, true)}},
          {{"pair", 1}, {"kl", 0.25}, {"pro", side("p:2", -2.0 + shift, -6.0, false)}, {"anti", side("a:2", -2.5, -6.5, true)}},
          {{"pair", 2}, {"kl", 0.0}, {"pro", side("p:3", -1.0 + shift, -2.0, false)}, {"anti", side("a:3", -1.0, -3.0, false)}}}},
        {"winogrande", {{{"source", "g:1"}, {"correct", true}}, {{"source", "g:2"}, {"correct", false}}}},
        {"winogender", {{{"source", "w:1"}, {"correct", false}}, {{"source", "w:2"}, {"correct", true}}, {{"source", "w:3"}, {"correct", true}}}}};
    return {{"metrics", {{"bias", 0.5}, {"winogrande", 0.5}}}, {"items", items}};
}

TEST(ComparisonTable, ItemScoresAreThoseWhoseMeansTheMetricsAre) {
    const auto scores = comparison_item_scores(results(0));
    ASSERT_EQ(scores.size(), 7u);
    EXPECT_EQ(scores[0].ids, (std::vector<std::string>{"p:1", "p:2", "p:3"}));
    EXPECT_EQ(scores[0].values, (std::vector<double>{1.0, 0.5, 0.0}));   // |Δ occupation|
    EXPECT_EQ(scores[1].values, (std::vector<double>{0.5, 0.25, 0.0}));  // KL
    EXPECT_EQ(scores[2].values, (std::vector<double>{1.0, 0.5, 1.0}));   // |Δ cluster|
    EXPECT_EQ(scores[3].values, (std::vector<double>{1.0, 0.5, 0.0}));   // right of two
    EXPECT_EQ(scores[4].values, (std::vector<double>{1.0, 0.0, 1.0}));   // agree
    EXPECT_EQ(scores[5].ids, (std::vector<std::string>{"g:1", "g:2"}));
    EXPECT_EQ(scores[5].values, (std::vector<double>{1.0, 0.0}));
    EXPECT_EQ(scores[6].ids, (std::vector<std::string>{"w:1", "w:2", "w:3"}));
    EXPECT_EQ(scores[6].values, (std::vector<double>{0.0, 1.0, 1.0}));
}

TEST(ComparisonTable, BaselineDifferencesAreStarredWhereTheirIntervalExcludesZero) {
    std::vector<ComparisonRow> rows = {scored_comparison_row("base", results(0)), scored_comparison_row("tuned", results(0.25))};
    rows[1].values[0] = 0.75;  // every pair's |Δ log p| grows by the shift
    add_uncertainty(rows, 0, {});
    ASSERT_TRUE(rows[0].intervals[0]);
    ASSERT_TRUE(rows[1].difference_intervals[5]);
    EXPECT_FALSE(rows[1].difference_intervals[5]->excludes_zero()) << "same WinoGrande answers";
    const std::string md = comparison_markdown(rows, 0);
    EXPECT_NE(md.find("Difference from base"), std::string::npos) << md;
    EXPECT_NE(md.find("| tuned | +0.2500 [+0.2500, +0.2500]* |"), std::string::npos) << md;
    EXPECT_NE(md.find("| tuned | 0.7500 [0.2500, 1.2500] |"), std::string::npos) << md;
    const std::string csv = comparison_csv(rows, 0);
    EXPECT_EQ(csv.substr(0, csv.find('\n')).find("model,bias,bias_lo,bias_hi,bias_diff,bias_diff_lo,bias_diff_hi,bias_entropy,"), 0u) << csv;
}

}  // namespace
}  // namespace amalgam
