// Tests on the real public datasets in ../shared/data; each skips when the folder is absent.
#include <algorithm>
#include <cstdio>
#include <map>

#include <gtest/gtest.h>

#include "core/curate/curation.h"
#include "core/embed/hashing_embedder.h"
#include "core/curate/curation_output.h"
#include "core/curate/selection.h"
#include "core/data/importer.h"
#include "core/data/unify.h"
#include "core/util/sha256.h"
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

/** The digest tests/golden/oasst_reference_counts.py prints for unpaired rows. */
std::string rows_digest(const std::vector<UnpairedRow>& rows) {
    std::vector<std::string> lines;
    for (const UnpairedRow& r : rows) {
        char quality[32] = "-";
        if (r.quality) std::snprintf(quality, sizeof quality, "%.9g", *r.quality);
        lines.push_back(r.source_id + "\t" + r.completion + "\t" + (r.desirable ? "1" : "0") + "\t" + quality + "\n");
    }
    std::sort(lines.begin(), lines.end());
    std::string all;
    for (const auto& l : lines) all += l;
    return sha256_hex(all);
}

// Expected rows and counts: tests/golden/oasst_reference_counts.py, from the raw file.
TEST(SharedData, OasstUnpairedRowsMatchTheReference) {
    AMALGAM_REQUIRE_SHARED_DATA();
    Dataset rows = import_dataset(shared_data_dir() / "oasst1/oasst1-validation-en.jsonl", "oasst");
    UnifiedSource toxicity = unify("o", rows.prompts, LabelChoice{"detoxify.toxicity", Direction::LowerIsBetter});
    ASSERT_TRUE(toxicity.threshold);
    EXPECT_DOUBLE_EQ(*toxicity.threshold, 0.000366325955837965);  // the median of 1,185 answers
    EXPECT_EQ(toxicity.counts.desirable, 592u);
    EXPECT_EQ(toxicity.counts.undesirable, 592u);
    EXPECT_EQ(toxicity.counts.at_threshold, 1u);
    EXPECT_EQ(toxicity.counts.unpaired_only_prompts, 58u);  // of the 335 single-answer prompts, 58 have one answer
    EXPECT_EQ(toxicity.unpaired.size(), 1184u);
    EXPECT_EQ(rows_digest(toxicity.unpaired), "001bc13ab1ba616d5212c1c6079a737b9bc4a1e9888949411273bb7419f9f088");

    UnifiedSource quality = unify("o", rows.prompts, LabelChoice{"labels.quality", Direction::HigherIsBetter});
    EXPECT_DOUBLE_EQ(*quality.threshold, 0.75);
    EXPECT_EQ(quality.counts.desirable, 441u);
    EXPECT_EQ(quality.counts.undesirable, 570u);
    EXPECT_EQ(quality.counts.at_threshold, 170u);
    EXPECT_EQ(quality.counts.unpaired_only_prompts, 63u);
    EXPECT_EQ(rows_digest(quality.unpaired), "bf1129ca55eb1c141647425b8b87194aa5097255de2975df092da6b7bc881268");

    UnifiedSource ranked = unify("o", rows.prompts, LabelChoice{"rank", Direction::LowerIsBetter});
    EXPECT_FALSE(ranked.threshold);
    EXPECT_EQ(ranked.counts.desirable, 416u);
    EXPECT_EQ(ranked.counts.undesirable, 416u);
    EXPECT_EQ(ranked.counts.unpaired_only_prompts, 0u);
    EXPECT_EQ(rows_digest(ranked.unpaired), "94aabf4e688b78436ed5a0acea9d1bf5fae6865f7f36ffe1ee90082651368f55");

    Dataset trees = import_dataset(shared_data_dir() / "oasst1/laion-en_100_tree.jsonl", "auto");
    UnifiedSource tree_ranks = unify("t", trees.prompts, LabelChoice{"rank", Direction::LowerIsBetter});
    EXPECT_EQ(tree_ranks.unpaired.size(), 424u);
    EXPECT_EQ(rows_digest(tree_ranks.unpaired), "9bc74d87d1e6251989b6fbc014698504d4b738042bad5ff80020f3da3b047ec2");
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
    EXPECT_EQ(summary_json(a, ka, a.select_unpaired(0.2), 0.2), summary_json(b, kb, b.select_unpaired(0.2), 0.2));
    EXPECT_EQ(unpaired_jsonl(a, a.select_unpaired(0.2)), unpaired_jsonl(b, b.select_unpaired(0.2)));
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
