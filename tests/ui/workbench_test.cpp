#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>

#include "core/curate/curation_output.h"
#include "core/store/workspace.h"
#include "test_support.h"
#include "ui/record_table_model.h"
#include "ui/selection_counts_model.h"
#include "ui_test_support.h"

namespace amalgam {
namespace {

using test::finishTask;
using test::qpath;

DatasetSpec spec(const std::string& name, const std::string& file, std::optional<std::string> label = std::nullopt,
                 std::optional<Direction> direction = std::nullopt) {
    DatasetSpec s;
    s.name = name;
    s.path = test::examples_dir() / file;
    s.label = std::move(label);
    s.direction = direction;
    return s;
}

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

    test::TempDir out;
    ASSERT_EQ(w.exportTrain(qpath(out.path())), "");
    EXPECT_EQ(test::read_text(out / "train.jsonl"), train);
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

TEST(Workbench, CancellingStopsTheCuration) {
    test::TempDir dir;
    Workbench w;
    ASSERT_EQ(w.open(qpath(dir / "ws.amalgam")), "");
    w.addDataset(spec("winogrande", "winogrande.jsonl"));
    ASSERT_EQ(finishTask(w), "");
    w.runCuration();
    w.task().cancel();
    // A cancel that lands before the first report stops the run; a late one finds it done.
    const QString error = finishTask(w);
    EXPECT_TRUE(error == "cancelled" || (error.isEmpty() && w.curation())) << error.toStdString();
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
    counts.setSelection(w.curation(), w.selected());
    EXPECT_EQ(counts.rowCount(), 2 + 3);
    counts.setSelection(w.curation(), w.curation()->select(0.5));
    EXPECT_EQ(counts.data(counts.index(0, SelectionCountsModel::SelectedColumn), Qt::DisplayRole).toInt(),
              static_cast<int>(count_selection(*w.curation(), w.curation()->select(0.5)).source_selected[0]));
}

}  // namespace
}  // namespace amalgam
