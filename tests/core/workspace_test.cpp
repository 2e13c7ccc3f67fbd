#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/curate/curation.h"
#include "core/embed/hashing_embedder.h"
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
    auto first = w.datasets().load_or_import("wg", file, "auto", {});
    EXPECT_TRUE(first.imported);
    EXPECT_EQ(count(w, "items"), 32);
    SqliteDb::Statement stamp(w.db(), "SELECT imported_at, id FROM datasets");
    stamp.step();
    std::string imported_at = stamp.text(0);

    auto second = w.datasets().load_or_import("wg", file, "auto", {});
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
    w.datasets().load_or_import("oasst", path, "oasst", {});
    auto stored = w.datasets().load_or_import("oasst", path, "oasst", {});
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
    w.datasets().load_or_import("pw", file, "pairwise", {});
    dir.write("pw.jsonl", good + good);
    auto changed = w.datasets().load_or_import("pw", file, "pairwise", {});
    EXPECT_TRUE(changed.imported);
    EXPECT_EQ(count(w, "items"), 2);
    EXPECT_EQ(count(w, "datasets"), 1);

    dir.write("pw.jsonl", good + "{\"prompt\": \"p\", \"chosen\": \"a\"}\n");
    EXPECT_THROW(w.datasets().load_or_import("pw", file, "pairwise", {}), DataError);
    EXPECT_EQ(count(w, "items"), 2);
    auto rows = w.datasets().all();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].items, 2u);
    EXPECT_EQ(rows[0].content_hash, changed.dataset.content_hash);
}

TEST(Workspace, StoresRecipesOnceAndSelectionsWithEveryPair) {
    test::TempDir dir;
    Workspace w(dir / "ws.amalgam");
    auto a = w.selections().save_recipe("r.yaml", "datasets: []");
    EXPECT_EQ(w.selections().save_recipe("r.yaml", "datasets: []"), a);
    EXPECT_NE(w.selections().save_recipe("r.yaml", "datasets: [x]"), a);

    Dataset d = import_dataset(test::examples_dir() / "winogrande.jsonl", "winogrande");
    NoProgress quiet;
    Curation c = curate({{"wg", "wg.jsonl", d, std::nullopt}}, {EmbedderKind::Hashing, "", 3, 2, 0}, HashingEmbedder(), quiet);
    auto keep = c.select(0.5);
    auto id = w.selections().save(a, selection_record(c, keep, 0.5));
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
        w.datasets().load_or_import("wg", test::examples_dir() / "winogrande.jsonl", "winogrande", {});
        // Back to what a version 1 build wrote: no evaluation, workbench or job tables.
        w.db().exec("DROP TABLE runs; DROP TABLE queue_lease; DROP TABLE eval_results; DROP TABLE settings; "
                    "DROP TABLE pair_overrides; DROP TABLE jobs; "
                    "DROP TABLE selection_prompts; ALTER TABLE selection_pairs DROP COLUMN duplicate; "
                    "PRAGMA user_version = 1");
    }
    Workspace w(dir / "ws.amalgam");
    EXPECT_EQ(w.schema_version(), current_schema_version());
    EXPECT_EQ(count(w, "items"), 32);
    w.evaluations().save("/models/tiny", "", "tiny", R"({"metrics": {"bias": 0.5}, "counts": {"winobias_pairs": 3}, "items": {}})");
    auto rows = w.evaluations().all();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].label, "tiny");
    EXPECT_EQ(rows[0].metrics_json, R"({"bias":0.5})");
}

TEST(Workspace, SettingsOverridesAndJobsPersist) {
    test::TempDir dir;
    {
        Workspace w(dir / "ws.amalgam");
        w.settings().set("fraction", "0.3");
        w.settings().set("fraction", "0.4");
        w.selections().set_overrides({{"oasst", "m1"}, {"oasst", "m2"}}, false);
        w.selections().set_overrides({{"hh", "7"}}, true);
        w.selections().set_overrides({{"oasst", "m2"}}, std::nullopt);
        auto id = w.jobs().add("eval tiny", JobKind::Evaluate, R"({"model":"/models/tiny"})");
        JobRow job = w.jobs().all().at(0);
        EXPECT_EQ(job.id, id);
        EXPECT_EQ(job.state, JobState::Queued);
        job.state = JobState::Failed;
        job.error = "no such folder";
        job.log = "line 1\n";
        w.jobs().update(job);
    }
    Workspace w(dir / "ws.amalgam");
    EXPECT_EQ(w.settings().get("fraction"), "0.4");
    EXPECT_FALSE(w.settings().get("recipe"));
    EXPECT_EQ(w.selections().overrides(), (PairOverrides{{{"oasst", "m1"}, false}, {{"hh", "7"}, true}}));
    auto jobs = w.jobs().all();
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].kind, JobKind::Evaluate);
    EXPECT_EQ(jobs[0].options, R"({"model":"/models/tiny"})");
    EXPECT_EQ(jobs[0].state, JobState::Failed);
    EXPECT_EQ(jobs[0].error, "no such folder");
    EXPECT_EQ(jobs[0].log, "line 1\n");
    EXPECT_EQ(count(w, "jobs WHERE finished_at IS NOT NULL"), 1);
}

TEST(Workspace, MigratingCancelsTheJobsOfAnOlderBuild) {
    test::TempDir dir;
    {
        Workspace w(dir / "ws.amalgam");
        // Back to version 3, whose jobs were command lines.
        w.db().exec("DROP TABLE runs; DROP TABLE queue_lease; ALTER TABLE eval_results DROP COLUMN step; "
                    "ALTER TABLE jobs DROP COLUMN waits_for; ALTER TABLE jobs DROP COLUMN kind; ALTER TABLE jobs DROP COLUMN options; "
                    "ALTER TABLE jobs ADD COLUMN arguments TEXT NOT NULL DEFAULT '[]'; DROP TABLE selection_prompts; "
                    "ALTER TABLE selection_pairs DROP COLUMN duplicate; PRAGMA user_version = 3");
        w.db().exec("INSERT INTO jobs (label, arguments, state, created_at) VALUES ('old', '[\"eval\"]', 'queued', 'then'), "
                    "('done', '[]', 'finished', 'then')");
    }
    Workspace w(dir / "ws.amalgam");
    auto jobs = w.jobs().all();
    ASSERT_EQ(jobs.size(), 2u);
    EXPECT_EQ(jobs[0].state, JobState::Cancelled);
    EXPECT_EQ(jobs[0].error, "queued by an older Amalgam: queue it again");
    EXPECT_EQ(jobs[1].state, JobState::Finished);
    EXPECT_EQ(jobs[1].kind, std::nullopt);
}

TEST(Workspace, JobsKeepWhatTheyWaitForAndComeBackAsTheyWereRemoved) {
    test::TempDir dir;
    Workspace w(dir / "ws.amalgam");
    const auto first = w.jobs().add("first", JobKind::Train, "{}");
    const auto second = w.jobs().add("second", JobKind::Evaluate, R"({"out": "x"})", {first});
    JobRow done = w.jobs().all()[0];
    done.state = JobState::Finished;
    done.log = "ok\n";
    w.jobs().update(done);
    const auto before = w.jobs().all();
    ASSERT_EQ(before[1].waits_for, std::vector<std::int64_t>{first});
    w.jobs().remove(first);
    ASSERT_EQ(w.jobs().all().size(), 1u);
    w.jobs().restore(before[0]);
    const auto after = w.jobs().all();
    ASSERT_EQ(after.size(), 2u);
    EXPECT_EQ(after[0].id, first);
    EXPECT_EQ(after[0].log, "ok\n");
    EXPECT_EQ(after[0].finished_at, before[0].finished_at);
    EXPECT_EQ(after[0].created_at, before[0].created_at);
    EXPECT_EQ(after[1].id, second);
}

TEST(Workspace, DamagedStoredJsonIsNamedNotRaw) {
    test::TempDir dir;
    Workspace w(dir / "ws.amalgam");
    const auto file = test::examples_dir() / "pairwise.jsonl";
    w.datasets().load_or_import("pairs", file, "auto", {});
    w.db().exec("UPDATE items SET record = '{\"prompt\": ' WHERE ordinal = 3");
    try {
        w.datasets().load_or_import("pairs", file, "auto", {});
        FAIL() << "damaged JSON was read";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.find((dir / "ws.amalgam").string() + ": a stored record of " + file.string() + " is damaged (parse error"), 0u) << what;
        EXPECT_EQ(what.find("[json.exception"), std::string::npos) << what;
    }
}

TEST(Workspace, ARunsDeviceOrTypeItCannotReadIsNamedWithTheFile) {
    test::TempDir dir;
    Workspace w(dir / "ws.amalgam");
    RunRow run;
    run.dir = "/runs/sft-1";
    w.runs().add(run);
    const std::pair<const char*, const char*> damages[] = {{"UPDATE runs SET device = 'tpu:0'", ": unknown device 'tpu' (cpu or cuda)"},
                                                           {"UPDATE runs SET device = 'cpu', dtype = 'int4'", ": unknown dtype 'int4' ("}};
    for (const auto& [damage, named] : damages) {
        w.db().exec(damage);
        try {
            w.runs().all();
            FAIL() << damage << ": read";
        } catch (const std::runtime_error& e) {
            EXPECT_EQ(std::string(e.what()).find((dir / "ws.amalgam").string() + named), 0u) << e.what();
        }
    }
}

TEST(Workspace, AStoredImportIsTakenOutAndPutBackRowForRow) {
    test::TempDir dir;
    Workspace w(dir / "ws.amalgam");
    const auto file = test::examples_dir() / "pairwise.jsonl";
    const auto loaded = w.datasets().load_or_import("pairs", file, "auto", {});
    const std::size_t items = count(w, "items");
    ASSERT_GT(items, 0u);
    auto taken = w.datasets().take(file);
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->id, loaded.id);
    EXPECT_EQ(taken->items.size(), items);
    EXPECT_EQ(count(w, "items"), 0u);
    EXPECT_FALSE(w.datasets().take(file));
    w.datasets().put(*taken);
    EXPECT_EQ(count(w, "items"), items);
    EXPECT_EQ(w.datasets().load_or_import("pairs", file, "auto", {}).dataset.prompts.size(), loaded.dataset.prompts.size());
    EXPECT_EQ(w.datasets().all()[0].id, loaded.id);
}

TEST(Workspace, MigratingReadsARunsModelStepsAndTemplateOnceFromItsConfig) {
    test::TempDir dir;
    {
        Workspace w(dir / "ws.amalgam");
        RunRow run;
        run.label = "sft-1";
        run.dir = "/runs/sft-1";
        run.config = "stage: sft\nmodel: /models/tiny llama\nmax_steps: 40\ntemplate: \"Q: {prompt}\\nA: {response}\"\n";
        w.runs().add(run);
        run.label = run.dir = "epochs";
        run.config = "stage: sft\nmodel: /m\nepochs: 2\n";
        w.runs().add(run);
        // Back to version 5, whose runs kept these in their YAML alone (and had no cluster job).
        w.db().exec("ALTER TABLE runs DROP COLUMN model; ALTER TABLE runs DROP COLUMN max_steps; ALTER TABLE runs DROP COLUMN template; "
                    "ALTER TABLE runs DROP COLUMN cluster_job; DROP TABLE selection_prompts; "
                    "ALTER TABLE selection_pairs DROP COLUMN duplicate; PRAGMA user_version = 5");
    }
    Workspace w(dir / "ws.amalgam");
    const auto runs = w.runs().all();
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0].model, "/models/tiny llama");
    EXPECT_EQ(runs[0].max_steps, 40);
    EXPECT_EQ(runs[0].prompt_template, "Q: {prompt}\nA: {response}");
    EXPECT_EQ(runs[1].model, "/m");
    EXPECT_EQ(runs[1].max_steps, std::nullopt);
    EXPECT_EQ(runs[0].cluster_job, "") << "a run of this machine";
}

TEST(Workspace, RunsKeepTheirLineageAndEvaluationsTheirRun) {
    test::TempDir dir;
    {
        Workspace w(dir / "ws.amalgam");
        const auto job = w.jobs().add("SFT", JobKind::Train, "{}");
        RunRow sft;
        sft.label = "sft-1";
        sft.stage = Stage::Sft;
        sft.dir = "/runs/sft-1";
        sft.config = "stage: sft\n";
        sft.model = "/models/tiny-llama";
        sft.max_steps = 40;
        sft.prompt_template = "{prompt} {response}";
        sft.data = "/d/train.jsonl";
        sft.data_sha256 = "abc";
        sft.recipe = "datasets: []\n";
        sft.device = Device{DeviceKind::Cuda, 1};
        sft.precision = Precision::BFloat16;
        sft.job_id = job;
        const auto sft_id = w.runs().add(sft);
        RunRow rm = sft;
        rm.label = "rm-1";
        rm.stage = Stage::RewardModel;
        rm.dir = "/runs/rm-1";
        rm.parent_run = sft_id;
        rm.job_id.reset();
        const auto rm_id = w.runs().add(rm);
        RunRow ppo = rm;
        ppo.label = "ppo-1";
        ppo.stage = Stage::Ppo;
        ppo.dir = "/runs/ppo-1";
        ppo.reward_run = rm_id;
        w.runs().add(ppo);
        w.evaluations().save("/m", "/runs/ppo-1/adapter", "ppo-1", R"({"metrics": {"bias": 1}, "counts": {}})", 3, 40);
        w.evaluations().save("/m", "", "base", R"({"metrics": {}, "counts": {}})");
        // The same run, step and label again (a resumed run evaluating a step anew) replaces it.
        w.evaluations().save("/m", "/runs/ppo-1/adapter", "ppo-1", R"({"metrics": {"bias": 2}, "counts": {}})", 3, 40);
        sft.dir = "/runs/sft-1";
        EXPECT_THROW(w.runs().add(sft), std::runtime_error) << "one run per folder";

        // The command line's record of a run: added once, following the run's latest start;
        // a job's run is left as the workbench wrote it.
        RunRow cli = rm;
        cli.label = "dpo-1";
        cli.stage = Stage::Dpo;
        cli.dir = "/runs/dpo-1";
        const auto recorded = w.runs().record(cli).id;
        cli.label = "renamed";
        cli.data_sha256 = "def";  // started again on other data: the record follows
        const RunRow again = w.runs().record(cli);
        EXPECT_EQ(again.id, recorded);
        EXPECT_EQ(again.label, "dpo-1");
        EXPECT_EQ(again.data_sha256, "def");
        cli.cluster_job = "812";  // submitted to Slurm: the record takes the job, and keeps it
        EXPECT_EQ(w.runs().record(cli).cluster_job, "812");
        cli.cluster_job.clear();
        EXPECT_EQ(w.runs().record(cli).cluster_job, "812");
        cli.dir = "/runs/sft-1";
        EXPECT_EQ(w.runs().record(cli).data_sha256, "abc") << "a job's run is left as it is";
        w.runs().set_cluster_job(w.runs().all().front().id, "913");
        EXPECT_EQ(w.runs().all().front().cluster_job, "913") << "a job's run submitted to Slurm";
    }
    Workspace w(dir / "ws.amalgam");
    const auto runs = w.runs().all();
    ASSERT_EQ(runs.size(), 4u);
    EXPECT_EQ(runs[3].label, "dpo-1");
    EXPECT_EQ(runs[3].stage, Stage::Dpo);
    EXPECT_FALSE(runs[3].job_id);
    EXPECT_EQ(runs[0].stage, Stage::Sft);
    EXPECT_EQ(runs[0].job_id, 1);
    EXPECT_EQ(runs[0].recipe, "datasets: []\n");
    EXPECT_EQ(runs[0].data_sha256, "abc");
    EXPECT_EQ(runs[0].model, "/models/tiny-llama");
    EXPECT_EQ(runs[0].max_steps, 40);
    EXPECT_EQ(runs[0].prompt_template, "{prompt} {response}");
    EXPECT_EQ(runs[0].device, (Device{DeviceKind::Cuda, 1}));
    EXPECT_EQ(runs[0].precision, Precision::BFloat16);
    EXPECT_FALSE(runs[0].parent_run);
    EXPECT_EQ(runs[1].parent_run, runs[0].id);
    EXPECT_FALSE(runs[1].job_id);
    EXPECT_EQ(runs[2].parent_run, runs[0].id);
    EXPECT_EQ(runs[2].reward_run, runs[1].id);
    const auto evals = w.evaluations().all();
    ASSERT_EQ(evals.size(), 2u);
    EXPECT_FALSE(evals[0].run);
    EXPECT_FALSE(evals[0].step);
    EXPECT_EQ(evals[1].run, 3);
    EXPECT_EQ(evals[1].step, 40);
    EXPECT_EQ(evals[1].metrics_json, R"({"bias":2})");
}

TEST(Workspace, OneHolderOfTheQueueLeaseAtATime) {
    test::TempDir dir;
    Workspace a(dir / "ws.amalgam"), b(dir / "ws.amalgam");
    EXPECT_TRUE(a.jobs().take_lease("a", 60));
    EXPECT_FALSE(b.jobs().take_lease("b", 60));
    EXPECT_TRUE(a.jobs().take_lease("a", 60)) << "the holder renews";
    a.jobs().release_lease("a");
    EXPECT_TRUE(b.jobs().take_lease("b", -1)) << "free once released";
    EXPECT_TRUE(a.jobs().take_lease("a", 60)) << "b's lease had expired";
    b.jobs().release_lease("b");
    EXPECT_FALSE(b.jobs().take_lease("b", 60)) << "b cannot release a's lease";
}

TEST(Workspace, TwoProcessesRacingForTheQueueLeaseGetItOnce) {
    test::TempDir dir;
    Workspace(dir / "ws.amalgam");  // created and migrated before the race
    constexpr int kProcesses = 6;
    std::vector<pid_t> children;
    for (int i = 0; i < kProcesses; ++i) {
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            bool took = false;
            try {
                took = Workspace(dir / "ws.amalgam").jobs().take_lease("process " + std::to_string(i), 60);
            } catch (...) {
                _exit(2);
            }
            _exit(took ? 0 : 1);
        }
        children.push_back(pid);
    }
    int holders = 0;
    for (pid_t pid : children) {
        int status = 0;
        waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_NE(WEXITSTATUS(status), 2) << "a process failed to reach the workspace";
        holders += WEXITSTATUS(status) == 0;
    }
    EXPECT_EQ(holders, 1);
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
