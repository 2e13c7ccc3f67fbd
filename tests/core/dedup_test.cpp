#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/curate/curation.h"
#include "core/curate/curation_output.h"
#include "core/curate/dedup.h"
#include "core/data/importer.h"
#include "core/embed/hashing_embedder.h"
#include "core/store/workspace.h"
#include "core/util/atomic_file.h"
#include "test_support.h"

namespace amalgam {
namespace {

/** Unit vectors: `bases` random ones, then for each planted repeat a copy of base b moved to
 *  cosine `cosine` with it. */
struct Planted {
    std::vector<float> points;
    std::vector<std::string> texts;
    std::vector<std::optional<double>> quality;
    std::size_t dim = 64;

    void add(const std::vector<float>& v, std::string text, std::optional<double> q = std::nullopt) {
        points.insert(points.end(), v.begin(), v.end());
        texts.push_back(std::move(text));
        quality.push_back(q);
    }
    std::vector<float> base(std::size_t b) const { return {points.begin() + b * dim, points.begin() + (b + 1) * dim}; }
    std::vector<DedupItem> items() const {
        std::vector<DedupItem> out;
        for (std::size_t i = 0; i < texts.size(); ++i) out.push_back({&texts[i], quality[i]});
        return out;
    }
};

std::vector<float> unit(std::vector<float> v) {
    double norm = 0;
    for (float x : v) norm += double(x) * x;
    for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
    return v;
}

/** `v` turned towards a random direction orthogonal to it, to cosine `cosine`. */
std::vector<float> at_cosine(const std::vector<float>& v, double cosine, std::mt19937& rng) {
    std::normal_distribution<float> g;
    std::vector<float> r(v.size());
    for (float& x : r) x = g(rng);
    double along = 0;
    for (std::size_t d = 0; d < v.size(); ++d) along += double(r[d]) * v[d];
    for (std::size_t d = 0; d < v.size(); ++d) r[d] -= static_cast<float>(along * v[d]);
    r = unit(r);
    const double s = std::sqrt(1 - cosine * cosine);
    std::vector<float> out(v.size());
    for (std::size_t d = 0; d < v.size(); ++d) out[d] = static_cast<float>(cosine * v[d] + s * r[d]);
    return out;
}

Planted planted(std::size_t bases, std::size_t dim, std::mt19937& rng) {
    Planted p;
    p.dim = dim;
    std::normal_distribution<float> g;
    for (std::size_t b = 0; b < bases; ++b) {
        std::vector<float> v(dim);
        for (float& x : v) x = g(rng);
        p.add(unit(v), "prompt " + std::to_string(b));
    }
    return p;
}

TEST(Dedup, PlantedRepeatsAreFoundAndTheBetterPairKept) {
    std::mt19937 rng(3);
    Planted p = planted(200, 64, rng);
    for (std::size_t b = 0; b < 20; ++b) p.add(at_cosine(p.base(b), 0.98, rng), "near " + std::to_string(b));   // 20 near
    for (std::size_t b = 20; b < 30; ++b) p.add(at_cosine(p.base(b), 0.90, rng), "apart " + std::to_string(b));  // below 0.95
    for (std::size_t b = 30; b < 35; ++b) p.add(p.base(b), "  PROMPT   " + std::to_string(b) + " ");            // 5 exact
    p.add(at_cosine(p.base(40), 0.99, rng), "better 40", 0.9);  // better than its base: the base is the repeat
    p.quality[40] = 0.2;
    const std::vector<int> one_cluster(p.texts.size(), 0);
    const auto flags = find_duplicates(p.items(), p.points, p.dim, one_cluster, 0.95);
    std::size_t exact = 0, near = 0;
    for (auto f : flags) (f == Duplicate::Exact ? exact : near) += f != Duplicate::None;
    EXPECT_EQ(exact, 5u);
    EXPECT_EQ(near, 21u);  // the 20 planted, and base 40 behind its better repeat
    EXPECT_EQ(flags[40], Duplicate::Near);
    EXPECT_EQ(flags.back(), Duplicate::None);
    for (std::size_t i = 0; i < 200; ++i) {
        if (i != 40) {
            EXPECT_EQ(flags[i], Duplicate::None) << i;  // ties go to the earlier pair
        }
    }
    for (std::size_t i = 220; i < 230; ++i) EXPECT_EQ(flags[i], Duplicate::None) << "cosine 0.90 is no repeat at 0.95";

    // Clusters are apart: the same repeats in another cluster are no repeats of these.
    std::vector<int> split(p.texts.size(), 0);
    for (std::size_t b = 0; b < 20; ++b) split[200 + b] = 1;
    const auto apart = find_duplicates(p.items(), p.points, p.dim, split, 0.95);
    EXPECT_EQ(std::count(apart.begin(), apart.end(), Duplicate::Near), 1);
}

TEST(Dedup, ALargeClusterIsSearchedCellByCell) {
    std::mt19937 rng(5);
    Planted p = planted(12000, 64, rng);  // 46 cells, each prompt in three
    for (std::size_t b = 0; b < 300; ++b) p.add(at_cosine(p.base(b * 40), 0.99, rng), "near " + std::to_string(b));
    const auto flags = find_duplicates(p.items(), p.points, p.dim, std::vector<int>(p.texts.size(), 0), 0.95);
    EXPECT_EQ(std::count(flags.begin(), flags.end(), Duplicate::Near), 300);
    EXPECT_EQ(std::count(flags.begin(), flags.begin() + 12000, Duplicate::Near), 0);
}

TEST(Dedup, NormalisedPromptsIgnoreCaseAndRunsOfWhiteSpace) {
    EXPECT_EQ(normalised_prompt("  What IS\tthe\n\nAnswer? "), "what is the answer?");
    EXPECT_EQ(normalised_prompt(""), "");
}

// A recipe with dedup: repeats leave the cut and are counted; a hand decision brings one back.
TEST(Dedup, ACurationLeavesRepeatsOutOfDTrainAndCountsThem) {
    test::TempDir dir;
    std::string lines;
    for (int i = 0; i < 30; ++i)
        lines += nlohmann::json({{"prompt", "Tell me about topic number " + std::to_string(i) + " in detail"},
                                 {"chosen", "Yes"}, {"rejected", "No"}}).dump() + "\n";
    for (int i = 0; i < 4; ++i)  // the same text, shouted
        lines += nlohmann::json({{"prompt", "TELL ME ABOUT TOPIC NUMBER " + std::to_string(i) + "   IN DETAIL"},
                                 {"chosen", "Yes"}, {"rejected", "No"}}).dump() + "\n";
    for (int i = 4; i < 7; ++i)  // the same words, other punctuation: the hashing embedder sees the same prompt
        lines += nlohmann::json({{"prompt", "Tell me about topic number " + std::to_string(i) + " in detail!"},
                                 {"chosen", "Yes"}, {"rejected", "No"}}).dump() + "\n";
    const auto file = dir.write("pairs.jsonl", lines);
    CurationSettings settings{EmbedderKind::Hashing, "", 3, 2, 0};
    settings.dedup = 0.95;
    NoProgress quiet;
    const Curation c =
        curate({{"pairs", file.string(), import_dataset(file, "pairwise"), std::nullopt}}, settings, HashingEmbedder(), quiet);
    ASSERT_EQ(c.pairs.size(), 37u);
    EXPECT_EQ(std::count(c.duplicate.begin(), c.duplicate.end(), Duplicate::Exact), 4);
    EXPECT_EQ(std::count(c.duplicate.begin(), c.duplicate.end(), Duplicate::Near), 3);
    for (std::size_t i = 0; i < 30; ++i) EXPECT_EQ(c.duplicate[i], Duplicate::None) << i;

    const std::vector<bool> all = c.select(1.0);
    EXPECT_EQ(std::count(all.begin(), all.end(), true), 30) << "a full cut takes every pair but the repeats";
    const std::vector<bool> rows = c.select_unpaired(1.0);
    ASSERT_EQ(rows.size(), 74u);
    EXPECT_EQ(std::count(rows.begin(), rows.end(), true), 60) << "nor the unpaired rows of their answers";
    const auto summary = nlohmann::json::parse(summary_json(c, all, c.select_unpaired(1.0), 1.0));
    EXPECT_EQ(summary["sources"]["pairs"]["duplicates"]["exact"], 4);
    EXPECT_EQ(summary["sources"]["pairs"]["duplicates"]["near"], 3);
    EXPECT_EQ(summary["hyperparameters"]["dedup"]["threshold"], 0.95);
    const std::vector<bool> half = c.select(0.5);
    for (std::size_t i = 30; i < 37; ++i) EXPECT_FALSE(half[i]) << i;
    // The workspace keeps the flags: a restored curation cuts as this one does.
    Workspace w(dir / "ws.amalgam");
    w.selections().save(w.selections().save_recipe("r.yaml", "text"), selection_record(c, half, 0.5));
    const auto stored = w.selections().latest();
    const Curation restored = restore_curation({{"pairs", file.string(), import_dataset(file, "pairwise"), std::nullopt}}, settings,
                                               stored->clusters_used, stored->placements, stored->prompt_placements);
    EXPECT_EQ(restored.duplicate, c.duplicate);
    EXPECT_EQ(restored.select(0.5), half);

    const std::vector<bool> forced = c.select(0.5, {{{"pairs", c.pairs[30].source_id}, true}});
    EXPECT_TRUE(forced[30]) << "a decision brings a repeat back";
    EXPECT_EQ(std::count(forced.begin(), forced.end(), true), std::count(half.begin(), half.end(), true) + 1);
}

}  // namespace
}  // namespace amalgam
