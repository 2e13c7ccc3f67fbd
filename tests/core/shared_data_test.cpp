// Tests on the real public datasets in ../shared/data; each skips when the folder is absent.
#include <map>

#include <gtest/gtest.h>

#include "core/curate/curation.h"
#include "core/embed/hashing_embedder.h"
#include "core/curate/curation_output.h"
#include "core/curate/selection.h"
#include "core/data/importer.h"
#include "core/data/unify.h"
#include "test_support.h"

namespace amalgam {
namespace {

using test::shared_data_dir;

Curation curate_paper_inputs(std::uint64_t seed) {
    NoProgress quiet;
    auto data = shared_data_dir();
    std::vector<CurationSource> sources = {
        {"winogrande", "", import_dataset(data / "winogrande/train_xs.jsonl", "auto"), std::nullopt},
        {"oasst", "", import_dataset(data / "oasst1/oasst1-validation-en.jsonl", "auto"),
         LabelChoice{"detoxify.toxicity", Direction::LowerIsBetter}}};
    return curate(sources, {EmbedderKind::Hashing, "", 10, 10, seed}, HashingEmbedder(), quiet);
}

// Expected counts: tests/golden/oasst_reference_counts.py, an independent implementation.
TEST(SharedData, WinograndeAndOasstCountsMatchTheReference) {
    AMALGAM_REQUIRE_SHARED_DATA();
    Curation c = curate_paper_inputs(0);
    ASSERT_EQ(c.sources.size(), 2u);
    const SourceCounts& wg = c.sources[0].counts;
    EXPECT_EQ(wg.prompts, 160u);
    EXPECT_EQ(wg.pairs, 160u);
    EXPECT_EQ(wg.dropped_single_answer + wg.dropped_ties, 0u);
    const SourceCounts& oasst = c.sources[1].counts;
    EXPECT_EQ(oasst.prompts, 751u);
    EXPECT_EQ(oasst.dropped_single_answer, 335u);
    EXPECT_EQ(oasst.dropped_ties, 0u);
    EXPECT_EQ(oasst.pairs, 416u);
}

TEST(SharedData, OasstOtherLabelsMatchTheReference) {
    AMALGAM_REQUIRE_SHARED_DATA();
    Dataset rows = import_dataset(shared_data_dir() / "oasst1/oasst1-validation-en.jsonl", "oasst");
    auto quality = unify("o", rows.prompts, LabelChoice{"labels.quality", Direction::HigherIsBetter}).counts;
    EXPECT_EQ(quality.prompts, 751u);
    EXPECT_EQ(quality.dropped_single_answer, 336u);
    EXPECT_EQ(quality.dropped_ties, 17u);
    EXPECT_EQ(quality.pairs, 398u);
    Dataset trees = import_dataset(shared_data_dir() / "oasst1/laion-en_100_tree.jsonl", "auto");
    EXPECT_EQ(trees.report.lines, 100u);
    auto ranked = unify("t", trees.prompts, LabelChoice{"rank", Direction::LowerIsBetter}).counts;
    EXPECT_EQ(ranked.prompts, 480u);
    EXPECT_EQ(ranked.dropped_single_answer, 268u);
    EXPECT_EQ(ranked.pairs, 212u);
}

TEST(SharedData, SameSeedGivesByteIdenticalOutputs) {
    AMALGAM_REQUIRE_SHARED_DATA();
    Curation a = curate_paper_inputs(0), b = curate_paper_inputs(0);
    auto ka = a.select(0.2), kb = b.select(0.2);
    EXPECT_EQ(train_jsonl(a, ka), train_jsonl(b, kb));
    EXPECT_EQ(summary_json(a, ka, 0.2), summary_json(b, kb, 0.2));
    EXPECT_EQ(points_csv(a, ka), points_csv(b, kb));
}

TEST(SharedData, FractionKeepsRoundedShareOfEveryStratumBestFirst) {
    AMALGAM_REQUIRE_SHARED_DATA();
    Curation c = curate_paper_inputs(0);
    auto keep = c.select(0.2);
    struct Stratum { std::size_t n = 0, kept = 0; double worst_kept = 1e9, best_dropped = -1e9; };
    std::map<std::pair<std::string, int>, Stratum> strata;
    for (std::size_t i = 0; i < c.pairs.size(); ++i) {
        Stratum& s = strata[{c.pairs[i].source, c.cluster[i]}];
        ++s.n;
        s.kept += keep[i];
        if (c.pairs[i].quality) {
            double q = *c.pairs[i].quality;
            if (keep[i]) s.worst_kept = std::min(s.worst_kept, q);
            else s.best_dropped = std::max(s.best_dropped, q);
        }
    }
    EXPECT_GT(strata.size(), 10u);
    for (const auto& [key, s] : strata) {
        EXPECT_EQ(s.kept, stratum_quota(0.2, s.n)) << key.first << " cluster " << key.second;
        EXPECT_GE(s.worst_kept, s.best_dropped) << key.first << " cluster " << key.second;
    }
}

TEST(SharedData, EveryWinobiasFileGivesItsPairs) {
    AMALGAM_REQUIRE_SHARED_DATA();
    for (const char* type : {"type1", "type2"})
        for (const char* split : {"dev", "test"}) {
            auto path = shared_data_dir() / "winobias" / (std::string("pro_stereotyped_") + type + ".txt." + split);
            Dataset d = import_dataset(path, "auto");
            EXPECT_EQ(d.format, "winobias");
            EXPECT_EQ(d.prompts.size(), 396u) << path;
            for (const auto& p : d.prompts) EXPECT_NE(p.responses[0].text, p.responses[1].text);
        }
}

TEST(SharedData, WinogenderGivesOnePairPerSchema) {
    AMALGAM_REQUIRE_SHARED_DATA();
    Dataset d = import_dataset(shared_data_dir() / "winogender/all_sentences.tsv", "auto");
    EXPECT_EQ(d.report.lines, 720u);
    EXPECT_EQ(d.prompts.size(), 240u);
}

TEST(SharedData, WinograndeTestSplitIsEvaluationOnly) {
    AMALGAM_REQUIRE_SHARED_DATA();
    Dataset d = import_dataset(shared_data_dir() / "winogrande/test.jsonl", "auto");
    EXPECT_EQ(d.prompts.size(), 1767u);
    EXPECT_EQ(d.prompts[0].supervision, Supervision::Unlabelled);
    Dataset train = import_dataset(shared_data_dir() / "winogrande/train_l.jsonl", "auto");
    EXPECT_EQ(train.prompts.size(), 10234u);
}

}  // namespace
}  // namespace amalgam
