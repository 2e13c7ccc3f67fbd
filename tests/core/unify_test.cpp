#include <tuple>

#include <gtest/gtest.h>

#include "core/data/importer.h"
#include "core/data/unify.h"
#include "test_support.h"

namespace amalgam {
namespace {

Prompt graded(const std::string& id, std::vector<std::optional<double>> values, const std::string& label = "tox") {
    Prompt p;
    p.source_id = id;
    p.text = "prompt " + id;
    for (std::size_t i = 0; i < values.size(); ++i) {
        Response r{"answer " + std::to_string(i), {}};
        if (values[i]) r.labels[label] = *values[i];
        p.responses.push_back(r);
    }
    return p;
}

TEST(Unify, NumericalLabelPicksBestAndWorstWithTheirGap) {
    auto u = unify("s", {graded("a", {0.2, 0.05, 0.9})}, LabelChoice{"tox", Direction::LowerIsBetter});
    ASSERT_EQ(u.pairs.size(), 1u);
    EXPECT_EQ(u.pairs[0].chosen, "answer 1");
    EXPECT_EQ(u.pairs[0].rejected, "answer 2");
    EXPECT_NEAR(*u.pairs[0].quality, 0.85, 1e-12);

    auto higher = unify("s", {graded("a", {0.2, 0.05, 0.9})}, LabelChoice{"tox", Direction::HigherIsBetter});
    EXPECT_EQ(higher.pairs[0].chosen, "answer 2");
    EXPECT_EQ(higher.pairs[0].rejected, "answer 1");
}

TEST(Unify, CountsSingleAnswersAndTies) {
    std::vector<Prompt> prompts = {
        graded("one", {0.3}),                      // single answer
        graded("none", {}),                        // no answer at all
        graded("unlabelled", {std::nullopt, 0.4}), // only one answer carries the label
        graded("tie", {0.5, 0.5, 0.5}),            // best and worst equal
        graded("pair", {0.1, 0.2}),
    };
    auto u = unify("s", prompts, LabelChoice{"tox", Direction::LowerIsBetter});
    EXPECT_EQ(u.counts.prompts, 5u);
    EXPECT_EQ(u.counts.dropped_single_answer, 3u);
    EXPECT_EQ(u.counts.dropped_ties, 1u);
    EXPECT_EQ(u.counts.pairs, 1u);
    EXPECT_EQ(u.pairs[0].source_id, "pair");
    EXPECT_EQ(u.pairs[0].source, "s");
}

// Unpaired rows: every labelled answer against the median (0.1 of 0.05, 0.1, 0.1, 0.3, 0.9;
// lower is better), the single answer included and the tied answers on the median left out.
TEST(Unify, UnpairedRowsCutANumericalLabelAtTheMedian) {
    std::vector<Prompt> prompts = {graded("pair", {0.3, 0.05, std::nullopt}), graded("one", {0.9}), graded("tie", {0.1, 0.1})};
    auto u = unify("s", prompts, LabelChoice{"tox", Direction::LowerIsBetter});
    ASSERT_TRUE(u.threshold);
    EXPECT_DOUBLE_EQ(*u.threshold, 0.1);
    EXPECT_EQ(u.counts.at_threshold, 2u);  // the tie's two answers sit on the median
    ASSERT_EQ(u.unpaired.size(), 3u);
    const std::vector<std::tuple<std::string, std::size_t, bool, double>> expected = {
        {"pair", 0, false, 0.2}, {"pair", 1, true, 0.05}, {"one", 0, false, 0.8}};
    std::size_t e = 0;
    for (const UnpairedRow& r : u.unpaired) {
        EXPECT_EQ(r.source_id, std::get<0>(expected[e]));
        EXPECT_EQ(r.answer, std::get<1>(expected[e]));
        EXPECT_EQ(r.completion, "answer " + std::to_string(r.answer));
        EXPECT_EQ(r.desirable, std::get<2>(expected[e]));
        EXPECT_NEAR(*r.quality, std::get<3>(expected[e]), 1e-12);
        ++e;
    }
    EXPECT_EQ(e, expected.size());
    EXPECT_EQ(u.counts.desirable, 1u);
    EXPECT_EQ(u.counts.undesirable, 2u);
    EXPECT_EQ(u.counts.unpaired_only_prompts, 1u);  // "one"; the tie gives no row
    EXPECT_EQ(u.counts.pairs, 1u);
}

TEST(Unify, UnpairedRowsFollowTheThresholdTheDirectionAndTwoValuedLabels) {
    std::vector<Prompt> prompts = {graded("a", {0.2, 0.6}), graded("b", {0.4})};
    LabelChoice higher{"tox", Direction::HigherIsBetter, 0.5};
    auto u = unify("s", prompts, higher);
    EXPECT_DOUBLE_EQ(*u.threshold, 0.5);
    ASSERT_EQ(u.unpaired.size(), 3u);
    EXPECT_FALSE(u.unpaired[0].desirable);
    EXPECT_TRUE(u.unpaired[1].desirable);
    EXPECT_FALSE(u.unpaired[2].desirable);
    EXPECT_NEAR(*u.unpaired[2].quality, 0.1, 1e-12);

    // Thumbs: three ups and one down; the median (1) would make every up sit on the threshold.
    std::vector<Prompt> thumbs = {graded("t", {1, 1}, kThumbsLabel), graded("u", {1, 0}, kThumbsLabel)};
    auto t = unify("s", thumbs, LabelChoice{kThumbsLabel, Direction::HigherIsBetter});
    EXPECT_DOUBLE_EQ(*t.threshold, 0.5);
    EXPECT_EQ(t.counts.desirable, 3u);
    EXPECT_EQ(t.counts.undesirable, 1u);
    EXPECT_EQ(t.counts.pairs, 1u);
    EXPECT_EQ(t.counts.dropped_ties, 1u);
}

TEST(Unify, RanksAndBinaryPairsGiveTheirTwoAnswersAsUnpairedRows) {
    auto ranked = unify("s", {graded("r", {2, 0, 1}, "rank"), graded("lone", {0}, "rank")}, LabelChoice{"rank", Direction::LowerIsBetter});
    EXPECT_FALSE(ranked.threshold);
    ASSERT_EQ(ranked.unpaired.size(), 2u);  // a lone ranked answer says nothing
    EXPECT_EQ(ranked.unpaired[0].answer, 1u);
    EXPECT_TRUE(ranked.unpaired[0].desirable);
    EXPECT_EQ(ranked.unpaired[1].answer, 0u);
    EXPECT_FALSE(ranked.unpaired[1].desirable);
    EXPECT_FALSE(ranked.unpaired[0].quality);

    Prompt p{"b", "Which?", {{"user", "earlier"}}, {{"yes", {}}, {"no", {}}}, Supervision::Binary};
    auto binary = unify("s", {p}, std::nullopt);
    ASSERT_EQ(binary.unpaired.size(), 2u);
    EXPECT_EQ(binary.unpaired[0].completion, "yes");
    EXPECT_TRUE(binary.unpaired[0].desirable);
    EXPECT_EQ(binary.unpaired[1].completion, "no");
    EXPECT_FALSE(binary.unpaired[1].desirable);
    EXPECT_EQ(binary.unpaired[1].context.size(), 1u);
    EXPECT_EQ(binary.counts.unpaired_only_prompts, 0u);
}

TEST(Unify, RanksOrderButGiveNoQuality) {
    auto u = unify("s", {graded("r", {2, 0, 1}, "rank")}, LabelChoice{"rank", Direction::LowerIsBetter});
    ASSERT_EQ(u.pairs.size(), 1u);
    EXPECT_EQ(u.pairs[0].chosen, "answer 1");
    EXPECT_EQ(u.pairs[0].rejected, "answer 0");
    EXPECT_FALSE(u.pairs[0].quality);
}

TEST(Unify, BinaryPassesThroughWithoutQuality) {
    Prompt p{"b", "Which?", {}, {{"yes", {}}, {"no", {}}}, Supervision::Binary};
    auto u = unify("s", {p}, std::nullopt);
    ASSERT_EQ(u.pairs.size(), 1u);
    EXPECT_EQ(u.pairs[0].chosen, "yes");
    EXPECT_FALSE(u.pairs[0].quality);
}

TEST(Unify, GradedDataNeedsALabelAndEvaluationDataIsRefused) {
    EXPECT_THROW(unify("s", {graded("a", {0.1, 0.2})}, std::nullopt), std::invalid_argument);
    Prompt eval{"e", "Which _?", {}, {{"x", {}}, {"y", {}}}, Supervision::Unlabelled};
    EXPECT_THROW(unify("s", {eval}, std::nullopt), std::invalid_argument);
}

TEST(Unify, ExampleOasstByToxicity) {
    Dataset d = import_dataset(test::examples_dir() / "oasst_messages.jsonl", "oasst");
    auto u = unify("oasst", d.prompts, LabelChoice{"detoxify.toxicity", Direction::LowerIsBetter});
    // 14 prompts: 4 with fewer than two toxicity-scored answers, 4 ties, 6 pairs (make_examples.py).
    EXPECT_EQ(u.counts.prompts, 14u);
    EXPECT_EQ(u.counts.dropped_single_answer, 4u);
    EXPECT_EQ(u.counts.dropped_ties, 4u);
    EXPECT_EQ(u.counts.pairs, 6u);
    const auto& basil = u.pairs[0];
    EXPECT_EQ(basil.source_id, "t00-p");
    EXPECT_EQ(basil.rejected, "Honestly, only an idiot kills basil. Put it in the sun.");
    EXPECT_NEAR(*basil.quality, 0.3105 - 0.0004, 1e-12);
}

}  // namespace
}  // namespace amalgam
