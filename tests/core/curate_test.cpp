#include <algorithm>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/curate/curation.h"
#include "core/embed/hashing_embedder.h"
#include "core/curate/curation_output.h"
#include "core/curate/selection.h"
#include "core/recipe/recipe.h"
#include "core/recipe/recipe_sources.h"
#include "core/store/workspace.h"
#include "test_support.h"

namespace amalgam {
namespace {

Curation curate_demo(Workspace* workspace = nullptr) {
    Recipe recipe = load_recipe(test::source_dir() / "resources/recipes/demo.yaml", std::nullopt);
    NoProgress quiet;
    return curate(load_sources(recipe, false, workspace), recipe.curate, HashingEmbedder(), quiet);
}

TEST(Curation, DemoRecipeCountsPerSource) {
    Curation c = curate_demo();
    // source: prompts, single-answer, ties, pairs (from resources/examples/make_examples.py)
    const std::map<std::string, std::array<std::size_t, 4>> expected = {
        {"winogrande", {32, 0, 0, 32}}, {"oasst", {14, 4, 4, 6}},     {"oasst_trees", {5, 1, 1, 3}},
        {"winobias", {12, 0, 0, 12}},   {"winogender", {12, 0, 0, 12}}, {"pairwise", {12, 0, 0, 12}},
        {"hh", {4, 0, 0, 4}},           {"rated", {7, 1, 1, 5}},       {"ranked", {5, 1, 0, 4}},
        {"sft", {6, 6, 0, 0}}};
    ASSERT_EQ(c.sources.size(), expected.size());  // the eval dataset is not curated
    std::size_t pairs = 0;
    for (const auto& s : c.sources) {
        const auto& e = expected.at(s.name);
        EXPECT_EQ(s.counts.prompts, e[0]) << s.name;
        EXPECT_EQ(s.counts.dropped_single_answer, e[1]) << s.name;
        EXPECT_EQ(s.counts.dropped_ties, e[2]) << s.name;
        EXPECT_EQ(s.counts.pairs, e[3]) << s.name;
        pairs += e[3];
    }
    EXPECT_EQ(c.pairs.size(), pairs);
    EXPECT_EQ(c.cluster.size(), pairs);
    EXPECT_EQ(c.xy.size(), 2 * pairs);
    EXPECT_EQ(c.clusters_used, 4);
}

TEST(Curation, UnpairedRowsSitWhereTheirPromptsDo) {
    Curation c = curate_demo();
    ASSERT_EQ(c.unpaired.size(), 198u);  // the demo table's total (README)
    ASSERT_EQ(c.unpaired_cluster.size(), c.unpaired.size());
    ASSERT_EQ(c.unpaired_xy.size(), 2 * c.unpaired.size());
    std::map<std::pair<std::string, std::string>, std::size_t> pair_of;
    for (std::size_t i = 0; i < c.pairs.size(); ++i) pair_of[{c.pairs[i].source, c.pairs[i].source_id}] = i;
    std::map<std::pair<std::string, std::string>, const PairPlacement*> lone;
    for (const auto& p : c.prompt_placements) lone[{p.source, p.source_id}] = &p;
    EXPECT_EQ(c.prompt_placements.size(), 9u);  // rescued: oasst 7, oasst_trees 1, rated 1
    for (std::size_t i = 0; i < c.unpaired.size(); ++i) {
        const std::pair<std::string, std::string> key{c.unpaired[i].source, c.unpaired[i].source_id};
        if (auto it = pair_of.find(key); it != pair_of.end()) {
            EXPECT_EQ(c.unpaired_cluster[i], c.cluster[it->second]);
            EXPECT_EQ(c.unpaired_xy[2 * i], c.xy[2 * it->second]);
            EXPECT_EQ(c.unpaired_xy[2 * i + 1], c.xy[2 * it->second + 1]);
        } else {
            ASSERT_TRUE(lone.count(key)) << key.first << ":" << key.second;
            EXPECT_EQ(c.unpaired_cluster[i], lone[key]->cluster);
            EXPECT_EQ(c.unpaired_xy[2 * i], lone[key]->x);
        }
    }
    // The cut keeps round(fraction * n) of every (source, cluster) stratum of rows, best quality first.
    const std::vector<bool> kept = c.select_unpaired(0.5);
    std::map<std::pair<std::string, int>, std::pair<std::size_t, std::size_t>> strata;  // rows, kept
    for (std::size_t i = 0; i < c.unpaired.size(); ++i) {
        auto& [rows, selected] = strata[{c.unpaired[i].source, c.unpaired_cluster[i]}];
        ++rows;
        selected += kept[i];
    }
    for (const auto& [stratum, n] : strata) EXPECT_EQ(n.second, stratum_quota(0.5, n.first)) << stratum.first << " " << stratum.second;
    for (std::size_t i = 0; i < c.unpaired.size(); ++i)
        for (std::size_t j = 0; j < c.unpaired.size(); ++j) {
            const bool same_stratum = c.unpaired[i].source == c.unpaired[j].source && c.unpaired_cluster[i] == c.unpaired_cluster[j];
            if (kept[i] && !kept[j] && same_stratum && c.unpaired[i].quality && c.unpaired[j].quality) {
                EXPECT_GE(*c.unpaired[i].quality, *c.unpaired[j].quality);
            }
        }
}

TEST(Curation, OutputsAreByteIdenticalForTheSameSeed) {
    Curation a = curate_demo(), b = curate_demo();
    auto keep_a = a.select(0.4), keep_b = b.select(0.4);
    EXPECT_EQ(train_jsonl(a, keep_a), train_jsonl(b, keep_b));
    EXPECT_EQ(summary_json(a, keep_a, a.select_unpaired(0.4), 0.4), summary_json(b, keep_b, b.select_unpaired(0.4), 0.4));
    EXPECT_EQ(unpaired_jsonl(a, a.select_unpaired(0.4)), unpaired_jsonl(b, b.select_unpaired(0.4)));
    EXPECT_EQ(points_csv(a, keep_a), points_csv(b, keep_b));
}

TEST(Curation, WorkspaceCopyGivesTheSameCuration) {
    test::TempDir dir;
    Workspace w(dir / "ws.amalgam");
    Curation first = curate_demo(&w);
    Curation stored = curate_demo(&w);  // every dataset now comes from the store
    auto keep = first.select(0.4);
    EXPECT_EQ(train_jsonl(first, keep), train_jsonl(stored, stored.select(0.4)));
}

TEST(Curation, OverridesExcludeAndForceAfterTheCut) {
    Curation c = curate_demo();
    auto cut = c.select(0.5);
    std::size_t kept = 0, dropped = 0;
    for (std::size_t i = 0; i < cut.size(); ++i) (cut[i] ? kept : dropped) = i;
    const auto& a = c.pairs[kept];
    const auto& b = c.pairs[dropped];
    auto keep = c.select(0.5, {{{a.source, a.source_id}, false}, {{b.source, b.source_id}, true}});
    for (std::size_t i = 0; i < cut.size(); ++i) {
        if (i == kept) EXPECT_FALSE(keep[i]);
        else if (i == dropped) EXPECT_TRUE(keep[i]);
        else EXPECT_EQ(keep[i], cut[i]) << i;
    }
}

TEST(Curation, RestoredFromTheWorkspaceEqualsTheOriginal) {
    test::TempDir dir;
    Workspace w(dir / "ws.amalgam");
    Curation c = curate_demo(&w);
    auto keep = c.select(0.5);
    w.selections().save(w.selections().save_recipe("demo.yaml", "text"), selection_record(c, keep, 0.5));
    auto stored = w.selections().latest();
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->clusters_used, 4);
    Recipe recipe = load_recipe(test::source_dir() / "resources/recipes/demo.yaml", std::nullopt);
    auto sources = load_sources(recipe, false, &w);
    EXPECT_EQ(stored->prompt_placements.size(), c.prompt_placements.size());
    EXPECT_GT(c.prompt_placements.size(), 0u);
    Curation restored = restore_curation(sources, recipe.curate, stored->clusters_used, stored->placements, stored->prompt_placements);
    EXPECT_EQ(points_csv(restored, restored.select(0.5)), points_csv(c, keep));
    EXPECT_EQ(train_jsonl(restored, restored.select(0.5)), train_jsonl(c, keep));
    EXPECT_EQ(unpaired_jsonl(restored, restored.select_unpaired(0.5)), unpaired_jsonl(c, c.select_unpaired(0.5)));
    EXPECT_EQ(restored.unpaired_xy, c.unpaired_xy);
    EXPECT_THROW(restore_curation(sources, recipe.curate, stored->clusters_used, stored->placements, {}), std::invalid_argument)
        << "the prompts without a pair need their stored places";

    sources.erase(sources.begin());  // a dataset gone: the stored map no longer fits
    EXPECT_THROW(restore_curation(sources, recipe.curate, stored->clusters_used, stored->placements, stored->prompt_placements),
                 std::invalid_argument);
}

TEST(Curation, WrittenFilesAgree) {
    test::TempDir dir;
    Curation c = curate_demo();
    auto keep = c.select(0.4);
    OutputFolder out(dir.path());
    write_curation(out, "", c, keep, 0.4);
    out.commit();

    auto summary = nlohmann::json::parse(test::read_text(dir / "summary.json"));
    EXPECT_EQ(summary["hyperparameters"]["fraction"], 0.4);
    EXPECT_EQ(summary["hyperparameters"]["clusters"], 4);
    EXPECT_EQ(summary["sources"]["oasst"]["dropped_ties"], 4);

    std::size_t train_lines = 0;
    std::string line;
    std::istringstream train(test::read_text(dir / "train.jsonl"));
    while (std::getline(train, line)) {
        auto pair = nlohmann::json::parse(line);
        ASSERT_TRUE(keep[pair["id"].get<std::size_t>()]);
        for (const char* key : {"id", "source", "source_id", "prompt", "chosen", "rejected", "quality", "cluster"})
            EXPECT_TRUE(pair.contains(key)) << key;
        ++train_lines;
    }
    EXPECT_EQ(train_lines, summary["total"]["selected"].get<std::size_t>());

    // unpaired.jsonl: the rows select_unpaired keeps, counted per source in the summary.
    const std::vector<bool> kept = c.select_unpaired(0.4);
    std::map<std::string, std::size_t> source_rows;
    std::istringstream unpaired(test::read_text(dir / "unpaired.jsonl"));
    while (std::getline(unpaired, line)) {
        auto row = nlohmann::json::parse(line);
        const auto id = row["id"].get<std::size_t>();
        ASSERT_TRUE(kept[id]);
        EXPECT_EQ(row["completion"], c.unpaired[id].completion);
        EXPECT_EQ(row["label"], c.unpaired[id].desirable);
        EXPECT_EQ(row["cluster"], c.unpaired_cluster[id]);
        ++source_rows[row["source"].get<std::string>()];
    }
    EXPECT_EQ(summary["total"]["unpaired"], c.unpaired.size());
    EXPECT_EQ(summary["total"]["unpaired_selected"], static_cast<std::size_t>(std::count(kept.begin(), kept.end(), true)));
    const auto& oasst = summary["sources"]["oasst"]["unpaired"];
    EXPECT_EQ(oasst["selected"], source_rows["oasst"]);
    EXPECT_EQ(oasst["desirable"].get<int>() + oasst["undesirable"].get<int>(), 26);
    EXPECT_EQ(oasst["prompts_pairing_drops"], 7);
    EXPECT_DOUBLE_EQ(oasst["threshold"].get<double>(), 0.00045);
    EXPECT_FALSE(summary["sources"]["winogrande"]["unpaired"].contains("threshold"));

    std::istringstream points(test::read_text(dir / "points.csv"));
    std::getline(points, line);
    EXPECT_EQ(line, "id,source,cluster,x,y,quality,selected");
    std::size_t rows = 0;
    while (std::getline(points, line)) ++rows;
    EXPECT_EQ(rows, c.pairs.size());

    std::size_t cluster_total = 0;
    for (const auto& k : summary["clusters"]) cluster_total += k["size"].get<std::size_t>();
    EXPECT_EQ(cluster_total, c.pairs.size());
}

}  // namespace
}  // namespace amalgam
