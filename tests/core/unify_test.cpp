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
