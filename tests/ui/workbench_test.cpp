#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QThread>

#include "core/curate/curation_output.h"
#include "core/store/workspace.h"
#include "core/util/progress.h"
#include "test_support.h"
#include "ui/jobs/job_queue.h"
#include "ui/models/record_table_model.h"
#include "ui/models/selection_counts_model.h"
#include "ui/views/map_panel.h"
#include "ui_test_support.h"

namespace amalgam {
namespace {

using test::finishTask;
using test::qpath;
using test::spec;

/** A workbench over a new workspace with WinoGrande and OASST (by toxicity), curated with k = 3. */
void fill(Workbench& w) {
    w.addDataset(spec("winogrande", "winogrande.jsonl"));
    ASSERT_EQ(finishTask(w), "");
    w.addDataset(spec("oasst", "oasst_messages.jsonl", "detoxify.toxicity", Direction::LowerIsBetter));
    ASSERT_EQ(finishTask(w), "");
    CurationSettings settings;
    settings.clusters = 3;
    settings.restarts = 2;
    w.setSettings(settings);
    w.runCuration();
    ASSERT_EQ(finishTask(w), "");
}

TEST(Workbench, ReopeningRestoresDatasetsRecipeSelectionAndExclusions) {
    test::TempDir dir;
    const QString file = qpath(dir / "ws.amalgam");
    std::string recipe, points, train;
    std::vector<bool> selected;
    {
        Workbench w;
        ASSERT_EQ(w.open(file), "");
        fill(w);
        ASSERT_TRUE(w.curation());
        EXPECT_EQ(w.curation()->pairs.size(), 32u + 6u);  // winogrande 32, oasst 6 (tests/core)
        w.setFraction(0.3);
        w.setOverride({0, 1}, false);
        w.setOverride({37}, true);
        EXPECT_FALSE(w.selected()[0]);
        EXPECT_TRUE(w.selected()[37]);
        recipe = to_yaml(w.recipe());
        selected = w.selected();
        points = points_csv(*w.curation(), selected);
        train = train_jsonl(*w.curation(), selected);
    }
    Workbench w;
    ASSERT_EQ(w.open(file), "");
    ASSERT_EQ(finishTask(w), "");
    EXPECT_EQ(to_yaml(w.recipe()), recipe);
    ASSERT_EQ(w.datasets().size(), 2u);
    ASSERT_TRUE(w.curation());
    EXPECT_DOUBLE_EQ(w.fraction(), 0.3);
    EXPECT_EQ(w.overrides().size(), 3u);
    EXPECT_EQ(w.selected(), selected);
    EXPECT_EQ(points_csv(*w.curation(), w.selected()), points);
    EXPECT_EQ(train_jsonl(*w.curation(), w.selected()), train);

    EXPECT_FALSE(w.curationOutdated());
    test::TempDir out;
    w.exportTrain(qpath(out.path()));
    ASSERT_EQ(finishTask(w), "");
    EXPECT_EQ(test::read_text(out / "train.jsonl"), train);
    EXPECT_EQ(Workspace((dir / "ws.amalgam").string()).selections().latest()->placements.size(), 38u);

    w.setFraction(0.6);  // a new cut is no new curation
    EXPECT_FALSE(w.curationOutdated());
    w.setLabel("oasst", {"detoxify.toxicity", Direction::HigherIsBetter});
    EXPECT_TRUE(w.curationOutdated());

    // A threshold cuts the unpaired rows where it is told: above 1, no toxicity is desirable.
    w.setLabel("oasst", {"detoxify.toxicity", Direction::LowerIsBetter, 1.0});
    EXPECT_NE(to_yaml(w.recipe()).find("threshold: 1"), std::string::npos);
    w.runCuration();
    ASSERT_EQ(finishTask(w), "");
    const Curation& c = *w.curation();
    ASSERT_EQ(c.sources.size(), 2u);
    EXPECT_EQ(c.sources[1].threshold, 1.0);
    EXPECT_EQ(c.sources[1].counts.undesirable, 0u);
    EXPECT_GT(c.sources[1].counts.desirable, 0u);
    w.undoStack().undo();
    EXPECT_FALSE(w.recipe().datasets[1].threshold);
}

TEST(Workbench, DuplicatesAreAFateOfTheirOwnThatADecisionUndoes) {
    test::TempDir dir;
    std::string lines;
    for (int i = 0; i < 12; ++i)
        for (const char* shout : {"", "!"})  // every prompt twice, the second one with a "!"
            lines += "{\"prompt\": \"Describe item " + std::to_string(i) + " briefly" + shout +
                     "\", \"chosen\": \"Yes\", \"rejected\": \"No\"}\n";
    DatasetSpec pairs;
    pairs.name = "pairs";
    pairs.path = dir.write("pairs.jsonl", lines);
    pairs.format = "pairwise";
    Workbench w;
    ASSERT_EQ(w.open(qpath(dir / "ws.amalgam")), "");
    w.addDataset(pairs);
    ASSERT_EQ(finishTask(w), "");
    CurationSettings settings = w.recipe().curate;
    settings.clusters = 2;
    settings.dedup = 0.95;
    w.setSettings(settings);
    w.runCuration();
    ASSERT_EQ(finishTask(w), "");
    ASSERT_EQ(w.curation()->pairs.size(), 24u);
    EXPECT_EQ(std::count(w.curation()->duplicate.begin(), w.curation()->duplicate.end(), Duplicate::Near), 12);
    w.setFraction(1.0);
    EXPECT_EQ(std::count(w.selected().begin(), w.selected().end(), true), 12);

    MapPanel map(w);
    map.setColouring(MapPanel::Colouring::Fate);
    QStringList names;
    std::vector<QRgb> palette;
    std::vector<int> fate = map.categories(names, palette);
    EXPECT_EQ(names.at(4), "duplicate");
    EXPECT_EQ(std::count(fate.begin(), fate.end(), 4), 12);
    w.setOverride({1}, true);  // the second of the first prompt, brought back by hand
    EXPECT_TRUE(w.selected()[1]);
    fate = map.categories(names, palette);
    EXPECT_EQ(fate[1], 2) << "forced in";
    w.undoStack().undo();
    EXPECT_FALSE(w.selected()[1]);
    EXPECT_EQ(map.categories(names, palette)[1], 4);
}

TEST(Workbench, ABadFileIsReportedAndNothingLoadedIsLost) {
    test::TempDir dir;
    Workbench w;
    ASSERT_EQ(w.open(qpath(dir / "ws.amalgam")), "");
    w.addDataset(spec("winogrande", "winogrande.jsonl"));
    ASSERT_EQ(finishTask(w), "");
    const auto bad = dir.write("bad.jsonl", "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n{not json\n");
    DatasetSpec s;
    s.name = "bad";
    s.path = bad;
    s.format = "pairwise";
    w.addDataset(s);
    const QString error = finishTask(w);
    EXPECT_TRUE(error.contains("bad.jsonl:2")) << error.toStdString();
    EXPECT_EQ(w.recipe().datasets.size(), 1u);
    EXPECT_EQ(w.datasets().size(), 1u);
}

TEST(BackgroundTask, ReportsTheWholeWorksShareOverItsAnnouncedStages) {
    BackgroundTask task;
    std::vector<std::pair<QString, double>> seen;
    QObject::connect(&task, &BackgroundTask::progressed, [&](const QString& stage, double share) { seen.emplace_back(stage, share); });
    ASSERT_TRUE(task.start("two stages", [](Progress& p) {
        p.plan({{"embed", 4, 1.0}, {"cluster", 2, 3.0}});
        for (const auto& [stage, total] : {std::pair<const char*, std::size_t>{"embed", 4}, {"cluster", 2}}) {
            p.start(stage, total);
            p.finish();
        }
    }));
    ASSERT_TRUE(test::waitUntil([&] { return !task.running() && seen.size() == 4; }));
    const std::vector<std::pair<QString, double>> expected = {{"embed", 0.0}, {"embed", 0.25}, {"cluster", 0.25}, {"cluster", 1.0}};
    EXPECT_EQ(seen, expected);
}

TEST(BackgroundTask, CancelStopsTheWorkAtItsNextReportAndSkipsDone) {
    BackgroundTask task;
    std::atomic<int> reports{0};
    bool done = false;
    int progressed = 0;
    QString error = "unset";
    QObject::connect(&task, &BackgroundTask::finished, [&](const QString& e) { error = e; });
    QObject::connect(&task, &BackgroundTask::progressed, [&](const QString& stage, double) { progressed += stage == "spin"; });
    ASSERT_TRUE(task.start("spin", [&](Progress& p) {
        p.start("spin", 100000);
        for (std::size_t i = 0; i < 100000; ++i) {
            ++reports;
            p.advance(i);
            QThread::msleep(1);
        }
    }, [&] { done = true; }));
    EXPECT_FALSE(task.start("second", [](Progress&) {}));  // one at a time
    ASSERT_TRUE(test::waitUntil([&] { return reports > 20; }));
    task.cancel();
    ASSERT_TRUE(test::waitUntil([&] { return !task.running(); }));
    EXPECT_EQ(error, "cancelled");
    EXPECT_FALSE(done);
    EXPECT_LT(reports, 100000);
    EXPECT_GE(progressed, 1);  // reports reached the UI thread

    ASSERT_TRUE(task.start("fail", [](Progress&) { throw std::runtime_error("data.jsonl:3: bad line"); }, [&] { done = true; }));
    ASSERT_TRUE(test::waitUntil([&] { return !task.running(); }));
    EXPECT_EQ(error, "data.jsonl:3: bad line");
    EXPECT_FALSE(done);
}

TEST(Workbench, AFileGoneSinceIsReportedAndTheOthersStillLoad) {
    test::TempDir dir;
    const QString file = qpath(dir / "ws.amalgam");
    std::filesystem::copy_file(test::examples_dir() / "pairwise.jsonl", dir / "mine.jsonl");
    {
        Workbench w;
        ASSERT_EQ(w.open(file), "");
        w.addDataset(spec("winogrande", "winogrande.jsonl"));
        ASSERT_EQ(finishTask(w), "");
        DatasetSpec mine;
        mine.name = "mine";
        mine.path = dir / "mine.jsonl";
        w.addDataset(mine);
        ASSERT_EQ(finishTask(w), "");
        w.runCuration();
        ASSERT_EQ(finishTask(w), "");
    }
    std::filesystem::remove(dir / "mine.jsonl");
    Workbench w;
    QString reported;
    QObject::connect(&w, &Workbench::failed, [&](const QString& e) { reported = e; });
    ASSERT_EQ(w.open(file), "");
    ASSERT_EQ(finishTask(w), "");
    EXPECT_TRUE(reported.contains("mine.jsonl: cannot open")) << reported.toStdString();
    ASSERT_EQ(w.datasets().size(), 1u);
    EXPECT_EQ(w.datasets()[0]->name, "winogrande");
    EXPECT_EQ(w.recipe().datasets.size(), 2u);  // still in the recipe: put the file back and reopen
    EXPECT_FALSE(w.curation());                 // the stored map needs every training dataset
}

TEST(Workbench, AModelEmbedderCuratesInAWorkerAndTheMapComesBack) {
    test::TempDir dir;
    Workbench w;
    w.jobs().setWorker(AMALGAM_CLI);
    ASSERT_EQ(w.open(qpath(dir / "ws.amalgam")), "");
    w.addDataset(spec("winogrande", "winogrande.jsonl"));
    ASSERT_EQ(finishTask(w), "");
    w.jobs().enqueue("encoder", MakeModelJob{"bert", (dir / "bert").string()});
    CurationSettings settings;
    settings.embedder = EmbedderKind::MiniLm;
    settings.model = (dir / "bert").string();
    settings.clusters = 2;
    w.setSettings(settings);
    w.runCuration();  // queued behind the encoder: the GUI process holds no libtorch
    ASSERT_EQ(w.jobs().rows().size(), 2u);
    ASSERT_TRUE(test::waitUntil([&] { return !w.jobs().busy(); }, 60000));
    for (const auto& job : w.jobs().rows()) ASSERT_EQ(job.state, JobState::Finished) << job.log;
    ASSERT_TRUE(test::waitUntil([&] { return w.curation() != nullptr; }));
    EXPECT_EQ(w.curation()->pairs.size(), 32u);
    EXPECT_EQ(w.curation()->clusters_used, 2);
    EXPECT_EQ(w.curation()->settings.embedder, EmbedderKind::MiniLm);
}

TEST(Models, PassTheModelTester) {
    test::TempDir dir;
    Workbench w;
    ASSERT_EQ(w.open(qpath(dir / "ws.amalgam")), "");
    fill(w);

    RecordTableModel records;
    QAbstractItemModelTester recordsTester(&records, QAbstractItemModelTester::FailureReportingMode::Fatal);
    records.setDataset(w.datasets().front());
    EXPECT_EQ(records.rowCount(), 32);
    records.setSearch("KETTLE");  // case-insensitive, ids and prompts
    EXPECT_EQ(records.rowCount(), 2);
    EXPECT_EQ(records.data(records.index(0, RecordTableModel::IdColumn), Qt::DisplayRole).toString(), "EX000-1");
    records.setSearch("EX001-");
    EXPECT_EQ(records.rowCount(), 2);
    records.setSearch("");
    EXPECT_EQ(records.rowCount(), 32);

    SelectionCountsModel counts;
    QAbstractItemModelTester countsTester(&counts, QAbstractItemModelTester::FailureReportingMode::Fatal);
    counts.setSelection(w.curation(), w.counts());
    EXPECT_EQ(counts.rowCount(), 2 + 3);
    const auto half = count_selection(*w.curation(), w.curation()->select(0.5), w.curation()->select_unpaired(0.5));
    counts.setSelection(w.curation(), half);
    EXPECT_EQ(counts.data(counts.index(0, SelectionCountsModel::SelectedColumn), Qt::DisplayRole).toInt(),
              static_cast<int>(half.source_selected[0]));
}

}  // namespace
}  // namespace amalgam
