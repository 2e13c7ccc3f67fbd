#include <gtest/gtest.h>

#include <QAbstractItemModelTester>

#include "test_support.h"
#include "ui/models/record_table_model.h"
#include "ui/views/add_dataset_dialog.h"
#include "ui_test_support.h"

namespace amalgam {
namespace {

using test::qpath;

void settle(AddDatasetDialog& dialog) {
    ASSERT_TRUE(test::waitUntil([&] { return !dialog.task().running(); }));
    QCoreApplication::processEvents();
}

TEST(AddDatasetDialog, DetectsTheFormatAndPreviewsTheRecords) {
    AddDatasetDialog dialog(qpath(test::examples_dir() / "rated.csv"));
    QAbstractItemModelTester tester(&dialog.preview(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    settle(dialog);
    EXPECT_EQ(dialog.error(), "");
    EXPECT_EQ(dialog.preview().rowCount(), 7);
    const QString labels = dialog.preview().data(dialog.preview().index(0, RecordTableModel::LabelsColumn), Qt::DisplayRole).toString();
    EXPECT_TRUE(labels.contains("helpfulness=4.5")) << labels.toStdString();
    const DatasetSpec spec = dialog.spec();
    EXPECT_EQ(spec.name, "rated");
    EXPECT_EQ(spec.format, "auto");
    EXPECT_TRUE(spec.options.fields.empty());
    dialog.show();
    QCoreApplication::processEvents();
    EXPECT_EQ(test::partlyShownRows(dialog), QStringList());
    test::saveScreenshot(dialog, "add_dataset");
}

TEST(AddDatasetDialog, FieldMappingReadsAGenericFileAndBadFilesSayWhere) {
    test::TempDir dir;
    const auto file = dir.write("qa.jsonl", "{\"question\": \"Why?\", \"good\": \"Because.\", \"bad\": \"No.\"}\n"
                                            "{\"question\": \"How?\", \"good\": \"Like this.\", \"bad\": \"Never.\"}\n");
    AddDatasetDialog dialog(qpath(file));
    settle(dialog);
    EXPECT_NE(dialog.error(), "");  // nothing recognises these field names
    dialog.setFormat("pairwise");
    dialog.setField("prompt", "question");
    dialog.setField("chosen", "good");
    dialog.setField("rejected", "bad");
    settle(dialog);
    EXPECT_EQ(dialog.error(), "");
    EXPECT_EQ(dialog.preview().rowCount(), 2);
    EXPECT_EQ(dialog.spec().options.fields.at("prompt"), "question");

    const auto broken = dir.write("broken.jsonl", "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n{oops\n");
    AddDatasetDialog bad(qpath(broken));
    settle(bad);
    EXPECT_TRUE(bad.error().contains("broken.jsonl:2")) << bad.error().toStdString();
    EXPECT_EQ(bad.preview().rowCount(), 0);
}

}  // namespace
}  // namespace amalgam
