#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/curate/curation.h"
#include "core/embed/hashing_embedder.h"
#include "core/curate/curation_output.h"
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

TEST(Curation, OutputsAreByteIdenticalForTheSameSeed) {
    Curation a = curate_demo(), b = curate_demo();
    auto keep_a = a.select(0.4), keep_b = b.select(0.4);
    EXPECT_EQ(train_jsonl(a, keep_a), train_jsonl(b, keep_b));
    EXPECT_EQ(summary_json(a, keep_a, 0.4), summary_json(b, keep_b, 0.4));
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
    Curation restored = restore_curation(sources, recipe.curate, stored->clusters_used, stored->placements);
    EXPECT_EQ(points_csv(restored, restored.select(0.5)), points_csv(c, keep));
    EXPECT_EQ(train_jsonl(restored, restored.select(0.5)), train_jsonl(c, keep));

    sources.erase(sources.begin());  // a dataset gone: the stored map no longer fits
    EXPECT_THROW(restore_curation(sources, recipe.curate, stored->clusters_used, stored->placements), std::invalid_argument);
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
