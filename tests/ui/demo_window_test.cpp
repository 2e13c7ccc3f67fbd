// The workbench as a user meets it: `amalgam --demo`, then the slider, the map, a job and Compare.
#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QPainter>
#include <QScrollBar>
#include <QSlider>
#include <QTabWidget>
#include <QTableView>

#include "core/store/workspace.h"
#include "test_support.h"
#include "ui/document/experiments.h"
#include "ui/jobs/device_probe.h"
#include "ui/jobs/job_queue.h"
#include "ui/models/job_table_model.h"
#include "ui/models/record_table_model.h"
#include "ui/models/selection_counts_model.h"
#include "ui/views/compare_panel.h"
#include "ui/views/curation_panel.h"
#include "ui/views/datasets_panel.h"
#include "ui/views/embedding_map.h"
#include "ui/views/jobs_panel.h"
#include "ui/views/main_window.h"
#include "ui/views/map_panel.h"
#include "ui/views/pair_dialog.h"
#include "ui/views/palette.h"
#include "ui/views/point_cloud.h"
#include "ui_test_support.h"

namespace amalgam {
namespace {

using test::qpath;
using test::waitUntil;

/** One demo window for every test here: made once, as `amalgam --demo` makes it. */
class DemoWindow : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir;
        window_ = new MainWindow;
        window_->resize(1440, 900);
        window_->workbench().jobs().setWorker(AMALGAM_CLI);
        ASSERT_EQ(window_->openDemo(qpath(dir_->path())), "");
        window_->show();
        ASSERT_TRUE(waitUntil([] { return window_->workbench().curation() != nullptr; }));
        // Then it exports D_train and trains on it: SFT, RM, PPO, DPO and KTO, each evaluated.
        ASSERT_TRUE(waitUntil([] { return window_->workbench().experiments().runs().size() == 5; }, 60000));
        ASSERT_TRUE(waitUntil([] { return !window_->workbench().jobs().busy(); }, 120000));
    }
    static void TearDownTestSuite() {
        delete window_;
        delete dir_;
    }
    static Workbench& workbench() { return window_->workbench(); }

    static test::TempDir* dir_;
    static MainWindow* window_;
};

test::TempDir* DemoWindow::dir_ = nullptr;
MainWindow* DemoWindow::window_ = nullptr;

TEST_F(DemoWindow, OpensCuratedWithEveryExampleDataset) {
    EXPECT_EQ(window_->tabs().currentIndex(), 1);  // Curation
    EXPECT_EQ(workbench().recipe().datasets.size(), 11u);
    EXPECT_EQ(workbench().datasets().size(), 11u);
    EXPECT_EQ(workbench().curation()->pairs.size(), 90u);  // the demo recipe's total (README)
    EXPECT_EQ(window_->datasets().datasetTable().rowCount(), 11);
    const QTableWidget& table = window_->datasets().datasetTable();
    int oasst = 0;
    while (oasst < table.rowCount() && table.item(oasst, 0)->text() != "oasst") ++oasst;
    ASSERT_LT(oasst, table.rowCount());
    EXPECT_EQ(table.horizontalHeaderItem(8)->text(), "Unpaired");
    EXPECT_EQ(table.item(oasst, 8)->text(), "26 (7)") << "the README table's oasst row: 26 rows, 7 rescued prompts";
    test::saveScreenshot(*window_->tabs().widget(1), "curation");
}

TEST_F(DemoWindow, SliderPreviewCountsAreTheCores) {
    CurationPanel& panel = window_->curation();
    for (int percent : {20, 65, 100, 50}) {
        panel.fractionSlider().setValue(percent);
        const auto expected = count_selection(*workbench().curation(),
                                              workbench().curation()->select(percent / 100.0, workbench().overrides()),
                                              workbench().curation()->select_unpaired(percent / 100.0));
        const SelectionCounts& shown = panel.counts().counts();
        EXPECT_EQ(shown.source_selected, expected.source_selected) << percent;
        EXPECT_EQ(shown.cluster_selected, expected.cluster_selected) << percent;
        EXPECT_EQ(shown.selected, expected.selected) << percent;
        EXPECT_EQ(shown.source_unpaired_selected, expected.source_unpaired_selected) << percent;
        EXPECT_EQ(shown.unpaired_selected, expected.unpaired_selected) << percent;
        const int sources = static_cast<int>(expected.source_pairs.size());
        for (int k = 0; k < static_cast<int>(expected.cluster_selected.size()); ++k)
            EXPECT_EQ(panel.counts().data(panel.counts().index(sources + k, SelectionCountsModel::SelectedColumn), Qt::DisplayRole).toULongLong(),
                      expected.cluster_selected[static_cast<std::size_t>(k)]);
    }
    EXPECT_EQ(workbench().selected().size(), 90u);
    EXPECT_EQ(std::count(workbench().selected().begin(), workbench().selected().end(), true), 51);  // README table at 0.5
}

TEST_F(DemoWindow, MapHoldsOnePointPerPromptColouredByCluster) {
    MapPanel& panel = window_->map();
    panel.setColouring(MapPanel::Colouring::Cluster);
    const PointCloud& cloud = panel.map().cloud();
    const Curation& c = *workbench().curation();
    ASSERT_EQ(cloud.size(), c.pairs.size());
    for (std::size_t i = 0; i < c.pairs.size(); ++i) {
        ASSERT_EQ(cloud.colours()[i], categoryColour(c.cluster[i])) << i;
        ASSERT_EQ(cloud.xy()[2 * i], c.xy[2 * i]);
    }
    EXPECT_EQ(panel.map().legend->itemCount(), c.clusters_used);
    // Pairs left out of D_train are faded, the rest keep their colour.
    panel.setDimLeftOut(true);
    ASSERT_EQ(cloud.dimmed().size(), c.pairs.size());
    for (std::size_t i = 0; i < c.pairs.size(); ++i) ASSERT_EQ(cloud.dimmed()[i], !workbench().selected()[i]) << i;
    panel.setDimLeftOut(false);
    EXPECT_TRUE(cloud.dimmed().empty());
    panel.setDimLeftOut(true);
    panel.setColouring(MapPanel::Colouring::Source);
    EXPECT_EQ(panel.map().legend->itemCount(), static_cast<int>(c.sources.size()));
}

TEST_F(DemoWindow, MapShowsTheUnpairedRowsColouredDesirableOrNot) {
    MapPanel& panel = window_->map();
    const PointCloud& cloud = panel.map().cloud();
    const Curation& c = *workbench().curation();
    panel.setColouring(MapPanel::Colouring::Desirable);  // switches to the rows
    ASSERT_TRUE(panel.showsUnpaired());
    ASSERT_EQ(cloud.size(), c.unpaired.size());
    std::size_t desirable = 0;
    for (std::size_t i = 0; i < c.unpaired.size(); ++i) {
        ASSERT_EQ(cloud.colours()[i], categoryColour(c.unpaired[i].desirable ? 2 : 3)) << i;
        ASSERT_EQ(cloud.xy()[2 * i + 1], c.unpaired_xy[2 * i + 1]);
        ASSERT_EQ(cloud.dimmed()[i], !workbench().unpairedSelected()[i]) << i;
        desirable += c.unpaired[i].desirable;
    }
    std::size_t counted = 0;
    for (const auto& source : c.sources) counted += source.counts.desirable;
    EXPECT_EQ(desirable, counted);
    EXPECT_EQ(desirable, 98u);  // of the demo's 198 rows
    EXPECT_EQ(panel.map().legend->itemCount(), 2);
    test::saveScreenshot(*window_->tabs().widget(1), "map_unpaired");
    panel.setColouring(MapPanel::Colouring::Cluster);
    for (std::size_t i = 0; i < c.unpaired.size(); ++i) ASSERT_EQ(cloud.colours()[i], categoryColour(c.unpaired_cluster[i])) << i;
    panel.setShowUnpaired(false);
    EXPECT_EQ(cloud.size(), c.pairs.size());
}

TEST_F(DemoWindow, LassoThenExcludeTakesPointsOutOfDTrain) {
    MapPanel& panel = window_->map();
    EmbeddingMap& map = panel.map();
    map.resetView();
    // A lasso around the left half of the plot.
    const QRect r = map.axisRect()->rect();
    map.markInside(QPolygonF({QPointF(r.left(), r.top()), QPointF(r.center().x(), r.top()), QPointF(r.center().x(), r.bottom()),
                              QPointF(r.left(), r.bottom())}));
    const auto marked = panel.markedPoints();
    ASSERT_FALSE(marked.empty());
    ASSERT_LT(marked.size(), 90u);
    for (std::size_t i : marked) EXPECT_LE(map.cloud().pixelOf(i).x(), r.center().x());
    workbench().setOverride(marked, false);
    for (std::size_t i : marked) EXPECT_FALSE(workbench().selected()[i]);
    // The record a click opens: the pair's answers and its fate.
    const PreferencePair& pair = workbench().curation()->pairs[marked.front()];
    const QString record = PairDialog::describe(workbench(), marked.front());
    EXPECT_TRUE(record.contains(QString::fromStdString(pair.chosen).toHtmlEscaped())) << record.toStdString();
    EXPECT_TRUE(record.contains(QString::fromStdString(pair.rejected).toHtmlEscaped()));
    EXPECT_TRUE(record.contains("left out (excluded)"));
    panel.setColouring(MapPanel::Colouring::Fate);
    EXPECT_EQ(map.cloud().colours()[marked.front()], categoryColour(3));  // excluded
    test::saveScreenshot(*window_->tabs().widget(1), "curation_excluded");
    workbench().setOverride(marked, std::nullopt);
    panel.setColouring(MapPanel::Colouring::Cluster);
}

TEST_F(DemoWindow, DemoEvaluationFinishedAndIsInCompare) {
    // Make each tiny model; evaluate the GPT-2; train SFT, RM, PPO, DPO and KTO; evaluate the
    // Llama, merge SFT into it (the base of the others), evaluate SFT, PPO, DPO and KTO.
    const auto& rows = workbench().jobs().rows();
    ASSERT_EQ(rows.size(), 14u);
    for (const auto& job : rows) EXPECT_EQ(job.state, JobState::Finished) << job.label << ": " << job.log;
    const Experiments& experiments = workbench().experiments();
    const std::vector<Stage> stages = {Stage::Sft, Stage::RewardModel, Stage::Ppo, Stage::Dpo, Stage::Kto};
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const auto& run = experiments.runs()[i];
        EXPECT_EQ(run.stage, stages[i]);
        EXPECT_EQ(run.data, qpath(dir_->path() / (run.stage == Stage::Kto ? "dtrain/unpaired.jsonl" : "dtrain/train.jsonl")).toStdString())
            << "KTO trains on the curation's unpaired rows";
        EXPECT_FALSE(run.recipe.empty()) << run.label << ": the data is the export's, made by the workspace's recipe";
        EXPECT_EQ(experiments.metrics(run.id).size(), 20u) << run.label << ": 40 steps, logged every 2";
        EXPECT_EQ(run.parent_run, i == 0 ? std::nullopt : std::optional<std::int64_t>(experiments.runs()[0].id));
    }
    EXPECT_EQ(experiments.runs()[2].reward_run, experiments.runs()[1].id) << "PPO is guided by the pipeline's reward model";
    const auto& table = window_->compare().model();
    ASSERT_EQ(table.rowCount(), 6);
    const QStringList labels = {"tiny-gpt2", "tiny-llama", "sft-1", "ppo-3", "dpo-4", "kto-5"};
    for (int r = 0; r < 6; ++r) {
        EXPECT_EQ(table.data(table.index(r, 0), Qt::DisplayRole).toString(), labels[r]);
        EXPECT_FALSE(table.data(table.index(r, 1), Qt::DisplayRole).toString().isEmpty()) << "Bias of " << labels[r].toStdString();
    }
    // A row tells where it came from; the rows of one run can be shown alone; the policies
    // are measured against the base they were trained from.
    ComparePanel& compare = window_->compare();
    EXPECT_TRUE(table.data(table.index(3, 0), Qt::ToolTipRole).toString().startsWith("<b>ppo-3</b> (PPO) rewarded by <b>rm-2</b> \u2190 <b>sft-1</b>"))
        << table.data(table.index(3, 0), Qt::ToolTipRole).toString().toStdString();
    EXPECT_TRUE(table.data(table.index(3, 0), Qt::ToolTipRole).toString().endsWith(", at step 40"));
    compare.setRunFilter(experiments.runs()[2].id);
    ASSERT_EQ(table.rowCount(), 1);
    EXPECT_EQ(table.data(table.index(0, 0)).toString(), "ppo-3");
    compare.setRunFilter(std::nullopt);
    compare.setBaseline(1);
    ASSERT_TRUE(waitUntil([&] { return !compare.scoring(); }));
    EXPECT_EQ(table.data(table.index(1, 0)).toString(), "tiny-llama (baseline)");
    EXPECT_TRUE(table.data(table.index(4, 1)).toString().contains("\n\u0394 ")) << table.data(table.index(4, 1)).toString().toStdString();
    window_->tabs().setCurrentIndex(4);
    test::saveScreenshot(*window_->tabs().widget(4), "compare");
    // The README's picture: the curation panel and the map above the comparison table.
    window_->tabs().setCurrentIndex(1);
    const QImage top = window_->tabs().widget(1)->grab().toImage();
    window_->tabs().setCurrentIndex(4);
    QCoreApplication::processEvents();  // the table takes the height of its two-line rows
    QWidget* comparePanel = window_->tabs().widget(4);
    const int tableBottom = comparePanel->findChild<QTableView*>()->geometry().bottom() + 2;
    const QImage bottom = comparePanel->grab(QRect(0, 0, comparePanel->width(), tableBottom)).toImage();
    QImage both(std::max(top.width(), bottom.width()), top.height() + bottom.height(), QImage::Format_RGB32);
    both.fill(Qt::white);
    QPainter painter(&both);
    painter.drawImage(0, 0, top);
    painter.drawImage(0, top.height(), bottom);
    painter.end();
    both.save(QDir(AMALGAM_SCREENSHOT_DIR).filePath("workbench.png"));
    compare.setBaseline(std::nullopt);
    window_->tabs().setCurrentIndex(0);
    test::saveScreenshot(*window_->tabs().widget(0), "datasets");
    window_->tabs().setCurrentIndex(1);
}

TEST_F(DemoWindow, AJobFromTheGuiFinishesAndItsRowAppearsInCompare) {
    JobTableModel& model = window_->jobs().model();
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    EvaluationRequest request{QString(), QString(), qpath(test::examples_dir()), "tiny-again", 4};
    request.precision = Precision::BFloat16;
    workbench().experiments().evaluate(request);
    ASSERT_TRUE(waitUntil([] { return !workbench().jobs().busy(); }, 60000));
    const auto& job = workbench().jobs().rows().back();
    EXPECT_EQ(job.state, JobState::Finished) << job.log;
    EXPECT_DOUBLE_EQ(job.progress, 1.0);
    // The worker announced its stages up front.
    ASSERT_EQ(job.plan.size(), 3u);
    EXPECT_EQ(job.plan[0].name, "winobias");
    EXPECT_EQ(job.plan[0].total, 4u);  // the request's limit: 4 of the 8 example pairs
    EXPECT_EQ(JobTableModel::stageText(job), "winogender");  // ended: the last stage alone
    EXPECT_TRUE(job.log.contains("--device cpu --dtype bfloat16")) << job.log.toStdString();
    EXPECT_NE(test::read_text(std::get<EvaluateJob>(job.work).out).find("\"dtype\": \"bfloat16\""), std::string::npos);
    ASSERT_EQ(window_->compare().model().rowCount(), 7);
    EXPECT_EQ(window_->compare().model().data(window_->compare().model().index(6, 0), Qt::DisplayRole).toString(), "tiny-again");

    // A job that fails says why, and the workbench goes on.
    workbench().experiments().evaluate({QString(), QString(), qpath(dir_->path() / "no-such-data"), "broken", 0});
    ASSERT_TRUE(waitUntil([] { return !workbench().jobs().busy(); }, 60000));
    const auto& failed = workbench().jobs().rows().back();
    EXPECT_EQ(failed.state, JobState::Failed);
    EXPECT_TRUE(failed.error.contains("does not exist: `amalgam-cli data get`")) << failed.error;
    EXPECT_EQ(window_->compare().model().rowCount(), 7);
    window_->tabs().setCurrentIndex(3);
    test::saveScreenshot(*window_->tabs().widget(3), "jobs");
    window_->tabs().setCurrentIndex(1);
}

TEST_F(DemoWindow, RecordTableSearches) {
    DatasetsPanel& panel = window_->datasets();
    panel.datasetTable().selectRow(3);  // winobias: 12 bracketed sentences
    ASSERT_EQ(panel.records().rowCount(), 12);
    panel.search().setText("SURGEON");
    EXPECT_EQ(panel.records().rowCount(), 2);
    panel.search().clear();
    EXPECT_EQ(panel.records().rowCount(), 12);
}

TEST_F(DemoWindow, EveryPanelShowsWholeRowsAtBothSizes) {
    const QString names[] = {"datasets", "curation", "train", "jobs", "compare"};
    for (const QSize size : {QSize(1440, 900), QSize(1024, 700)}) {
        window_->resize(size);
        for (int tab = 0; tab < window_->tabs().count(); ++tab) {
            window_->tabs().setCurrentIndex(tab);
            QCoreApplication::processEvents();
            QWidget& panel = *window_->tabs().widget(tab);
            test::saveScreenshot(*window_, QString("%1-%2x%3").arg(names[tab]).arg(size.width()).arg(size.height()));
            EXPECT_EQ(test::partlyShownRows(panel), QStringList()) << names[tab].toStdString() << " at " << size.width() << "x" << size.height();
        }
    }
    // Compare uses the window's width and shows every metric, Winogender included.
    window_->tabs().setCurrentIndex(4);
    QCoreApplication::processEvents();
    QTableView* table = window_->compare().findChild<QTableView*>();
    ASSERT_NE(table, nullptr);
    int columns = 0;
    for (int c = 0; c < table->model()->columnCount(); ++c) columns += table->columnWidth(c);
    EXPECT_GE(columns, table->viewport()->width() - table->model()->columnCount());
    EXPECT_EQ(table->model()->headerData(table->model()->columnCount() - 1, Qt::Horizontal).toString(), QString::fromUtf8("Winogender \u2191"));
    window_->resize(1440, 900);
    window_->tabs().setCurrentIndex(1);
}

TEST_F(DemoWindow, HelpListsTheShortcutsAndTheMenusHoldThem) {
    const QString html = window_->shortcutsHtml();
    for (const char* expected : {"Undo", "Open Workspace", "Keyboard Shortcuts", "Lasso", "Compare", "Wheel"})
        EXPECT_TRUE(html.contains(expected)) << expected;
    EXPECT_TRUE(html.contains(QKeySequence(QKeySequence::Undo).toString(QKeySequence::NativeText)));
}

TEST(DeviceProbe, ReadsTheWorkersDevicesAndFallsBackToTheCpu) {
    EXPECT_EQ(DeviceProbe::parse("cpu\ncuda:0\ncuda:1\n"), QStringList({"cpu", "cuda:0", "cuda:1"}));
    EXPECT_EQ(DeviceProbe::parse(""), QStringList({"cpu"}));

    DeviceProbe probe;
    EXPECT_FALSE(probe.known());
    probe.start(AMALGAM_CLI);
    ASSERT_TRUE(waitUntil([&] { return probe.known(); }, 60000));
    EXPECT_EQ(probe.devices().front(), "cpu");
    for (const QString& d : probe.devices().mid(1)) EXPECT_TRUE(d.startsWith("cuda:")) << d.toStdString();

    DeviceProbe missing;
    missing.start("/no/such/amalgam-cli");
    ASSERT_TRUE(waitUntil([&] { return missing.known(); }));
    EXPECT_EQ(missing.devices(), QStringList({"cpu"}));
}

TEST(JobQueue, AJobRunningWhenTheWindowClosesRunsAgainOnReopening) {
    test::TempDir dir;
    const QString file = qpath(dir / "ws.amalgam");
    {
        Workbench w;
        w.jobs().setWorker(AMALGAM_CLI);
        ASSERT_EQ(w.open(file), "");
        w.jobs().enqueue("init", MakeModelJob{"llama", (dir / "m").string()});
        EXPECT_EQ(w.jobs().rows().front().state, JobState::Running);
    }  // closed while running
    EXPECT_EQ(Workspace((dir / "ws.amalgam").string()).jobs().all().front().state, JobState::Queued);
    Workbench w;
    w.jobs().setWorker(AMALGAM_CLI);
    ASSERT_EQ(w.open(file), "");
    ASSERT_TRUE(waitUntil([&] { return !w.jobs().busy(); }));
    EXPECT_EQ(w.jobs().rows().front().state, JobState::Finished) << w.jobs().rows().front().log;
    EXPECT_TRUE(w.jobs().rows().front().log.contains("interrupted"));
}

TEST(JobQueue, CancelStopsTheRunningJobAndDropsAQueuedOne) {
    test::TempDir dir;
    Workbench w;
    w.jobs().setWorker(AMALGAM_CLI);
    ASSERT_EQ(w.open(qpath(dir / "ws.amalgam")), "");
    const auto first = w.jobs().enqueue("first", MakeModelJob{"llama", (dir / "a").string()});
    const auto second = w.jobs().enqueue("second", MakeModelJob{"llama", (dir / "b").string()});
    std::vector<JobState> ended;
    QObject::connect(&w.jobs(), &JobQueue::jobEnded, [&](std::int64_t, JobState state, const WorkerJob&) { ended.push_back(state); });
    w.jobs().cancel(second);  // queued: never starts
    w.jobs().cancel(first);   // running: the worker is stopped
    ASSERT_TRUE(waitUntil([&] { return !w.jobs().busy(); }));
    EXPECT_EQ(w.jobs().rows()[0].state, JobState::Cancelled);
    EXPECT_EQ(w.jobs().rows()[1].state, JobState::Cancelled);
    EXPECT_EQ(ended, (std::vector<JobState>{JobState::Cancelled, JobState::Cancelled}));
    EXPECT_FALSE(std::filesystem::exists(dir / "a" / "config.json"));
    EXPECT_FALSE(std::filesystem::exists(dir / "b"));
    EXPECT_EQ(Workspace((dir / "ws.amalgam").string()).jobs().all()[1].state, JobState::Cancelled);
}

}  // namespace
}  // namespace amalgam
