// Undo and redo of the workbench's edits: the workspace's tables after an undo are those before
// the edit, and after a redo those after it.
#include <algorithm>
#include <filesystem>
#include <functional>

#include <gtest/gtest.h>

#include <QFile>
#include <QUndoStack>

#include "core/curate/curation_output.h"
#include "core/store/sqlite_db.h"
#include "test_support.h"
#include "ui/document/experiments.h"
#include "ui/jobs/job_queue.h"
#include "ui_test_support.h"

namespace amalgam {
namespace {

using test::finishTask;
using test::qpath;
using test::spec;
using test::waitUntil;

/** Every table's rows, sorted (a row put back may get another rowid: the content is the same),
 *  the queue lease (renewed every few seconds) aside. */
std::string tables(const std::string& file) {
    SqliteDb db(file);
    std::string out;
    SqliteDb::Statement names(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'queue_lease' ORDER BY name");
    while (names.step()) {
        const std::string table = names.text(0);
        std::string columns;
        SqliteDb::Statement info(db, "PRAGMA table_info(" + table + ")");
        while (info.step()) columns += (columns.empty() ? "quote(" : " || ',' || quote(") + info.text(1) + ")";
        out += "# " + table + "\n";
        std::vector<std::string> rows;
        SqliteDb::Statement select(db, "SELECT " + columns + " FROM " + table);
        while (select.step()) rows.push_back(select.text(0));
        std::sort(rows.begin(), rows.end());
        for (const auto& row : rows) out += row + "\n";
    }
    return out;
}

/** What the workbench holds in memory of its document. */
std::string state(const Workbench& w) {
    std::string out = to_yaml(w.recipe());
    for (const auto& d : w.datasets()) out += d->name + ",";
    for (const auto& [key, keep] : w.overrides()) out += key.first + "/" + key.second + "=" + (keep ? "1" : "0") + ",";
    if (w.curation()) out += train_jsonl(*w.curation(), w.selected());
    return out;
}

TEST(Undo, EveryEditUndoesToTheTablesBeforeItAndRedoesToThoseAfter) {
    test::TempDir dir;
    const std::string file = (dir / "ws.amalgam").string();
    Workbench w;
    ASSERT_EQ(w.open(qpath(file)), "");
    w.addDataset(spec("winogrande", "winogrande.jsonl"));
    ASSERT_EQ(finishTask(w), "");
    w.addDataset(spec("oasst", "oasst_messages.jsonl", "detoxify.toxicity", Direction::LowerIsBetter));
    ASSERT_EQ(finishTask(w), "");
    w.runCuration();
    ASSERT_EQ(finishTask(w), "");
    w.undoStack().clear();

    struct Edit {
        const char* name;
        std::function<void()> apply;
    };
    const std::vector<Edit> edits = {
        {"label", [&] { w.setLabel("oasst", {"detoxify.severe_toxicity", Direction::HigherIsBetter, 0.01}); }},
        {"fraction", [&] { w.setFraction(0.3); }},
        {"settings", [&] {
             CurationSettings settings = w.recipe().curate;
             settings.clusters = 3;
             settings.seed = 7;
             w.setSettings(settings);
         }},
        {"exclude", [&] { w.setOverride({0, 1, 2}, false); }},
        {"force over exclusions", [&] { w.setOverride({1, 5}, true); }},
        {"release", [&] { w.setOverride({0, 5}, std::nullopt); }},
        {"remove a dataset", [&] { w.removeDataset("winogrande"); }},
        {"add a dataset", [&] {
             w.addDataset(spec("pairs", "pairwise.jsonl"));
             ASSERT_EQ(finishTask(w), "");
         }},
    };
    for (const Edit& edit : edits) {
        const std::string before = tables(file), held = state(w);
        edit.apply();
        const std::string after = tables(file), changed = state(w);
        ASSERT_NE(after, before) << edit.name;
        ASSERT_EQ(w.undoStack().count(), w.undoStack().index());
        w.undoStack().undo();
        EXPECT_TRUE(tables(file) == before) << edit.name;
        EXPECT_TRUE(state(w) == held) << edit.name;
        w.undoStack().redo();
        EXPECT_TRUE(tables(file) == after) << edit.name;
        EXPECT_TRUE(state(w) == changed) << edit.name;
    }
    // The whole history back to the start, and forward again.
    const std::string last = tables(file);
    while (w.undoStack().canUndo()) w.undoStack().undo();
    EXPECT_EQ(w.recipe().datasets.size(), 2u);
    EXPECT_TRUE(w.overrides().empty());
    while (w.undoStack().canRedo()) w.undoStack().redo();
    EXPECT_TRUE(tables(file) == last);
}

TEST(Undo, ASliderDragIsOneStepAndAFractionBackWhereItStartedIsNone) {
    test::TempDir dir;
    Workbench w;
    ASSERT_EQ(w.open(qpath(dir / "ws.amalgam")), "");
    w.addDataset(spec("winogrande", "winogrande.jsonl"));
    ASSERT_EQ(finishTask(w), "");
    w.undoStack().clear();
    for (double f : {0.45, 0.4, 0.35}) w.setFraction(f);
    ASSERT_EQ(w.undoStack().count(), 1);
    EXPECT_EQ(w.undoStack().undoText(), "Fraction 35%");
    w.undoStack().undo();
    EXPECT_DOUBLE_EQ(w.fraction(), 1.0);
    for (double f : {0.4, 1.0}) w.setFraction(f);
    EXPECT_EQ(w.undoStack().index(), 0) << "back to 100%: the drag changed nothing";
}

/** Opens `w` on dir/ws.amalgam with a worker that keeps the first job running, so that the
 *  jobs queued after it wait; returns the workspace file. */
std::string openWithABusyWorker(Workbench& w, test::TempDir& dir) {
    const auto worker = dir.write("worker.sh", "#!/bin/sh\nsleep 30\n");
    QFile::setPermissions(qpath(worker), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    w.jobs().setWorker(qpath(worker));
    const std::string file = (dir / "ws.amalgam").string();
    EXPECT_EQ(w.open(qpath(file)), "");
    return file;
}

TEST(Undo, QueuedJobsLeaveTheListAndRemovedOnesComeBackAsTheyWere) {
    test::TempDir dir;
    Workbench w;
    const std::string file = openWithABusyWorker(w, dir);
    w.experiments().evaluate({QString(), QString(), qpath(test::examples_dir()), "first", 1});
    ASSERT_TRUE(waitUntil([&] { return w.jobs().rows().size() == 2 && w.jobs().rows()[0].state == JobState::Running; }));

    const std::string before = tables(file);
    const std::int64_t queued = w.experiments().evaluate({QString(), QString(), qpath(test::examples_dir()), "second", 1});
    EXPECT_EQ(w.jobs().find(queued)->state, JobState::Queued);
    EXPECT_EQ(w.undoStack().undoText(), "Queue Evaluate second");
    const std::string after = tables(file);
    w.undoStack().undo();
    EXPECT_EQ(tables(file), before);
    EXPECT_EQ(w.jobs().find(queued), nullptr);
    w.undoStack().redo();
    EXPECT_EQ(w.jobs().rows().back().label, "Evaluate second");

    // Removing the running job is refused; a queued one comes back with its id and all.
    EXPECT_EQ(w.removeJob(w.jobs().rows()[0].id), "Make the built-in tiny llama model is running: cancel it first");
    const std::int64_t last = w.jobs().rows().back().id;
    const std::string withIt = tables(file);
    EXPECT_EQ(w.removeJob(last), "");
    EXPECT_EQ(w.jobs().find(last), nullptr);
    w.undoStack().undo();
    EXPECT_EQ(tables(file), withIt);
    ASSERT_NE(w.jobs().find(last), nullptr);
    EXPECT_EQ(w.jobs().find(last)->label, "Evaluate second");
    w.jobs().cancel(w.jobs().rows()[0].id);
}

/** The runs' config files beside their folders, with their text. */
std::string configs(const std::filesystem::path& dir) {
    std::string out;
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(dir / "runs"))
        for (const auto& entry : std::filesystem::directory_iterator(dir / "runs")) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) out += f.filename().string() + ":\n" + test::read_text(f);
    return out;
}

TEST(Undo, ALaunchAndAPipelineTakeTheirRunsAndJobsBackWhileTheyWait) {
    test::TempDir dir;
    Workbench w;
    const std::string file = openWithABusyWorker(w, dir);
    // The tiny model's job keeps running; what is queued after it waits.
    w.experiments().tinyModel("llama");
    ASSERT_TRUE(waitUntil([&] { return w.jobs().rows().size() == 1 && w.jobs().rows()[0].state == JobState::Running; }));
    w.undoStack().clear();

    TrainRequest sft;
    sft.config = preset_config("paper-sft");
    sft.config.max_steps = 2;
    sft.config.data = (test::examples_dir() / "pairwise.jsonl").string();
    PipelineRequest pipeline;
    pipeline.settings = sft;
    pipeline.evaluationData = qpath(test::examples_dir());
    struct Launch {
        const char* name;
        std::function<void()> apply;
        std::size_t runs, jobs;
    };
    const std::vector<Launch> launches = {
        {"launch", [&] { w.experiments().launch(sft); }, 1, 1},
        {"pipeline", [&] { w.experiments().launchPipeline(pipeline); }, 4, 4 + 4 + 1},  // 4 runs, 4 evaluations, 1 merge for RM's base
    };
    for (const Launch& launch : launches) {
        const std::string before = tables(file), beforeFiles = configs(dir.path());
        const std::size_t runsBefore = w.experiments().runs().size(), jobsBefore = w.jobs().rows().size();
        launch.apply();
        const std::string after = tables(file), afterFiles = configs(dir.path());
        ASSERT_EQ(w.experiments().runs().size(), runsBefore + launch.runs) << launch.name;
        ASSERT_EQ(w.jobs().rows().size(), jobsBefore + launch.jobs) << launch.name;
        const std::vector<RunRow> made = w.experiments().runs();
        w.undoStack().undo();
        EXPECT_TRUE(tables(file) == before) << launch.name;
        EXPECT_EQ(configs(dir.path()), beforeFiles) << launch.name;
        EXPECT_EQ(w.experiments().runs().size(), runsBefore) << launch.name;
        EXPECT_EQ(w.jobs().rows().size(), jobsBefore) << launch.name;
        w.undoStack().redo();
        EXPECT_TRUE(tables(file) == after) << launch.name;
        EXPECT_EQ(configs(dir.path()), afterFiles) << launch.name;
        ASSERT_EQ(w.experiments().runs().size(), made.size()) << launch.name;
        for (std::size_t i = 0; i < made.size(); ++i) EXPECT_EQ(w.experiments().runs()[i].id, made[i].id) << launch.name << ": ids kept";
    }
    EXPECT_EQ(w.undoStack().undoText().toStdString().rfind("Launch a pipeline from sft-2", 0), 0u) << w.undoStack().undoText().toStdString();

    // Once a job of the step has started, the step can no longer be undone and leaves the history.
    w.jobs().cancel(w.jobs().rows()[0].id);
    ASSERT_TRUE(waitUntil([&] { return w.jobs().rows()[1].state == JobState::Running; }));
    ASSERT_EQ(w.undoStack().count(), 2);
    w.undoStack().undo();  // the pipeline: none of its jobs has started
    ASSERT_EQ(w.undoStack().count(), 2);
    const std::string running = tables(file);
    w.undoStack().undo();  // the launch: its job runs
    EXPECT_EQ(w.undoStack().count(), 1) << "the launch dropped out of the history";
    EXPECT_EQ(w.experiments().runs().size(), 1u);
    w.jobs().cancel(w.jobs().rows()[1].id);
}

}  // namespace
}  // namespace amalgam
