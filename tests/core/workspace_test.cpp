#include <gtest/gtest.h>

#include "core/curate/curation.h"
#include "core/curate/hashing_embedder.h"
#include "core/curate/curation_output.h"
#include "core/data/importer.h"
#include "core/store/schema.h"
#include "core/store/sqlite_db.h"
#include "core/store/workspace.h"
#include "core/util/data_error.h"
#include "test_support.h"

namespace amalgam {
namespace {

std::int64_t count(Workspace& w, const std::string& table) {
    SqliteDb::Statement s(w.db(), "SELECT COUNT(*) FROM " + table);
    s.step();
    return s.integer(0);
}

TEST(Workspace, NewWorkspaceIsAtTheCurrentSchema) {
    test::TempDir dir;
    Workspace w(dir / "ws.amalgam");
    EXPECT_EQ(w.schema_version(), current_schema_version());
    SqliteDb::Statement mode(w.db(), "PRAGMA journal_mode");
    mode.step();
    EXPECT_EQ(mode.text(0), "wal");
    SqliteDb::Statement fk(w.db(), "PRAGMA foreign_keys");
    fk.step();
    EXPECT_EQ(fk.integer(0), 1);
}

TEST(Workspace, ReimportingAnUnchangedFileIsANoOp) {
    test::TempDir dir;
    auto file = dir.write("wg.jsonl", test::read_text(test::examples_dir() / "winogrande.jsonl"));
    Workspace w(dir / "ws.amalgam");
    auto first = w.load_or_import("wg", file, "auto", {});
    EXPECT_TRUE(first.imported);
    EXPECT_EQ(count(w, "items"), 32);
    SqliteDb::Statement stamp(w.db(), "SELECT imported_at, id FROM datasets");
    stamp.step();
    std::string imported_at = stamp.text(0);

    auto second = w.load_or_import("wg", file, "auto", {});
    EXPECT_FALSE(second.imported);
    EXPECT_EQ(second.id, first.id);
    EXPECT_EQ(count(w, "items"), 32);
    EXPECT_EQ(count(w, "datasets"), 1);
    ASSERT_EQ(second.dataset.prompts.size(), first.dataset.prompts.size());
    for (std::size_t i = 0; i < first.dataset.prompts.size(); ++i) {
        EXPECT_EQ(second.dataset.prompts[i].source_id, first.dataset.prompts[i].source_id);
        EXPECT_EQ(second.dataset.prompts[i].responses[0].text, first.dataset.prompts[i].responses[0].text);
        EXPECT_EQ(second.dataset.prompts[i].supervision, first.dataset.prompts[i].supervision);
    }
    SqliteDb::Statement again(w.db(), "SELECT imported_at FROM datasets");
    again.step();
    EXPECT_EQ(again.text(0), imported_at);
}

TEST(Workspace, LabelsAndContextSurviveTheStore) {
    test::TempDir dir;
    Workspace w(dir / "ws.amalgam");
    auto path = test::examples_dir() / "oasst_messages.jsonl";
    w.load_or_import("oasst", path, "oasst", {});
    auto stored = w.load_or_import("oasst", path, "oasst", {});
    ASSERT_FALSE(stored.imported);
    Dataset fresh = import_dataset(path, "oasst");
    ASSERT_EQ(stored.dataset.prompts.size(), fresh.prompts.size());
    for (std::size_t i = 0; i < fresh.prompts.size(); ++i) {
        const auto& a = stored.dataset.prompts[i];
        const auto& b = fresh.prompts[i];
        EXPECT_EQ(a.context.size(), b.context.size());
        ASSERT_EQ(a.responses.size(), b.responses.size());
        for (std::size_t r = 0; r < a.responses.size(); ++r) EXPECT_EQ(a.responses[r].labels, b.responses[r].labels);
    }
}

TEST(Workspace, ChangedFileReplacesAndFailedImportChangesNothing) {
    test::TempDir dir;
    const std::string good = "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n";
    auto file = dir.write("pw.jsonl", good);
    Workspace w(dir / "ws.amalgam");
    w.load_or_import("pw", file, "pairwise", {});
    dir.write("pw.jsonl", good + good);
    auto changed = w.load_or_import("pw", file, "pairwise", {});
    EXPECT_TRUE(changed.imported);
    EXPECT_EQ(count(w, "items"), 2);
    EXPECT_EQ(count(w, "datasets"), 1);

    dir.write("pw.jsonl", good + "{\"prompt\": \"p\", \"chosen\": \"a\"}\n");
    EXPECT_THROW(w.load_or_import("pw", file, "pairwise", {}), DataError);
    EXPECT_EQ(count(w, "items"), 2);
    auto rows = w.datasets();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].items, 2u);
    EXPECT_EQ(rows[0].content_hash, changed.dataset.content_hash);
}

TEST(Workspace, StoresRecipesOnceAndSelectionsWithEveryPair) {
    test::TempDir dir;
    Workspace w(dir / "ws.amalgam");
    auto a = w.save_recipe("r.yaml", "datasets: []");
    EXPECT_EQ(w.save_recipe("r.yaml", "datasets: []"), a);
    EXPECT_NE(w.save_recipe("r.yaml", "datasets: [x]"), a);

    Dataset d = import_dataset(test::examples_dir() / "winogrande.jsonl", "winogrande");
    NoProgress quiet;
    Curation c = curate({{"wg", "wg.jsonl", d, std::nullopt}}, {"hashing", "", 3, 2, 0}, HashingEmbedder(), quiet);
    auto keep = c.select(0.5);
    auto id = w.save_selection(a, c, keep, 0.5, summary_json(c, keep, 0.5));
    SqliteDb::Statement s(w.db(), "SELECT COUNT(*), SUM(selected) FROM selection_pairs WHERE selection_id = ?");
    s.bind(1, id).step();
    EXPECT_EQ(s.integer(0), 32);
    std::int64_t kept = 0;
    for (bool k : keep) kept += k;
    EXPECT_EQ(s.integer(1), kept);
}

TEST(Workspace, MigratesAVersionOneWorkspaceKeepingItsData) {
    test::TempDir dir;
    {
        Workspace w(dir / "ws.amalgam");
        w.load_or_import("wg", test::examples_dir() / "winogrande.jsonl", "winogrande", {});
        // Back to what a version 1 build wrote: no evaluation, workbench or job tables.
        w.db().exec("DROP TABLE eval_results; DROP TABLE settings; DROP TABLE pair_overrides; DROP TABLE jobs; "
                    "PRAGMA user_version = 1");
    }
    Workspace w(dir / "ws.amalgam");
    EXPECT_EQ(w.schema_version(), current_schema_version());
    EXPECT_EQ(count(w, "items"), 32);
    w.save_eval_result("/models/tiny", "", "tiny", R"({"metrics": {"bias": 0.5}, "counts": {"winobias_pairs": 3}, "items": {}})");
    auto rows = w.eval_results();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].label, "tiny");
    EXPECT_EQ(rows[0].metrics_json, R"({"bias":0.5})");
}

TEST(Workspace, SettingsOverridesAndJobsPersist) {
    test::TempDir dir;
    {
        Workspace w(dir / "ws.amalgam");
        w.set_setting("fraction", "0.3");
        w.set_setting("fraction", "0.4");
        w.set_pair_overrides({{"oasst", "m1"}, {"oasst", "m2"}}, false);
        w.set_pair_overrides({{"hh", "7"}}, true);
        w.set_pair_overrides({{"oasst", "m2"}}, std::nullopt);
        auto id = w.add_job("eval tiny", {"eval", "/models/tiny", "--out", "r.json"});
        Workspace::JobRow job = w.jobs().at(0);
        EXPECT_EQ(job.id, id);
        EXPECT_EQ(job.state, "queued");
        job.state = "failed";
        job.error = "no such folder";
        job.log = "line 1\n";
        w.update_job(job);
    }
    Workspace w(dir / "ws.amalgam");
    EXPECT_EQ(w.setting("fraction"), "0.4");
    EXPECT_FALSE(w.setting("recipe"));
    EXPECT_EQ(w.pair_overrides(), (PairOverrides{{{"oasst", "m1"}, false}, {{"hh", "7"}, true}}));
    auto jobs = w.jobs();
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].arguments, (std::vector<std::string>{"eval", "/models/tiny", "--out", "r.json"}));
    EXPECT_EQ(jobs[0].state, "failed");
    EXPECT_EQ(jobs[0].error, "no such folder");
    EXPECT_EQ(jobs[0].log, "line 1\n");
    EXPECT_EQ(count(w, "jobs WHERE finished_at IS NOT NULL"), 1);
}

TEST(Workspace, RefusesANewerSchema) {
    test::TempDir dir;
    {
        SqliteDb db((dir / "ws.amalgam").string());
        db.exec("PRAGMA user_version = 99");
    }
    EXPECT_THROW(Workspace(dir / "ws.amalgam"), std::runtime_error);
}

}  // namespace
}  // namespace amalgam
