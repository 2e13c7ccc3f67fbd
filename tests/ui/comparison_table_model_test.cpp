#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QFont>
#include <QPersistentModelIndex>

#include "ui/models/comparison_table_model.h"

namespace amalgam {
namespace {

std::vector<ComparisonRow> paper_rows() {
    return {comparison_row("LLaMA-Base", R"({"bias": 0.4585, "bias_entropy": 0.0010, "bias_cluster": 3.0393, "accuracy": 0.9482, "similarity": 0.9482})"),
            comparison_row("LLaMA-HD-1.0-R", R"({"bias": 0.3629, "bias_entropy": 0.0068, "bias_cluster": 3.1570, "accuracy": 0.9583, "similarity": 0.9583})"),
            comparison_row("LLaMA-S", R"({"bias": 1.1721, "bias_entropy": 0.1553, "bias_cluster": 10.3180, "accuracy": 0.5953, "similarity": 0.6553, "winogrande": 0.51})")};
}

TEST(ComparisonTableModel, PassesTheModelContract) {
    ComparisonTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setRows(paper_rows());
    model.sort(1, Qt::AscendingOrder);
    model.sort(0, Qt::DescendingOrder);
    model.setRows({});
    EXPECT_EQ(model.rowCount(), 0);
}

TEST(ComparisonTableModel, ShowsTheTableWithTheBestInBold) {
    ComparisonTableModel model;
    model.setRows(paper_rows());
    ASSERT_EQ(model.rowCount(), 3);
    ASSERT_EQ(model.columnCount(), 8);
    EXPECT_EQ(model.headerData(1, Qt::Horizontal).toString(), QString::fromUtf8("Bias \xE2\x86\x93"));
    EXPECT_EQ(model.data(model.index(1, 1)).toString(), "0.3629");
    EXPECT_TRUE(model.data(model.index(1, 1), Qt::FontRole).value<QFont>().bold());   // lowest bias
    EXPECT_FALSE(model.data(model.index(0, 1), Qt::FontRole).isValid());
    EXPECT_TRUE(model.data(model.index(0, 2), Qt::FontRole).value<QFont>().bold());   // lowest entropy
    EXPECT_TRUE(model.data(model.index(1, 4), Qt::FontRole).value<QFont>().bold());   // highest accuracy
    EXPECT_FALSE(model.data(model.index(0, 6)).isValid());                             // no WinoGrande run
    EXPECT_TRUE(model.data(model.index(2, 6), Qt::FontRole).value<QFont>().bold());
    EXPECT_EQ(model.headerData(7, Qt::Horizontal).toString(), QString::fromUtf8("Winogender \xE2\x86\x91"));
    EXPECT_FALSE(model.data(model.index(2, 7)).isValid());                             // no Winogender run
}

TEST(ComparisonTableModel, SortsAndKeepsPersistentIndexes) {
    ComparisonTableModel model;
    model.setRows(paper_rows());
    QPersistentModelIndex hd(model.index(1, 0));
    model.sort(1, Qt::DescendingOrder);  // bias, highest first
    EXPECT_EQ(model.data(model.index(0, 0)).toString(), "LLaMA-S");
    EXPECT_EQ(model.data(model.index(2, 0)).toString(), "LLaMA-HD-1.0-R");
    EXPECT_EQ(hd.row(), 2);
    EXPECT_TRUE(model.data(model.index(2, 1), Qt::FontRole).value<QFont>().bold());  // best follows its row
    model.sort(6, Qt::AscendingOrder);  // WinoGrande: the row with a value first
    EXPECT_EQ(model.data(model.index(0, 0)).toString(), "LLaMA-S");
}

TEST(ComparisonTableModel, TheBaselineAndTheOriginsMoveWithTheirRowsWhenSorted) {
    ComparisonTableModel model;
    model.setRows(paper_rows(), 0, {"the base model", "a run", QString()});
    EXPECT_EQ(model.data(model.index(0, 0)).toString(), "LLaMA-Base (baseline)");
    model.sort(1, Qt::AscendingOrder);  // by bias: HD, Base, S
    EXPECT_EQ(model.baseline(), 1u);
    EXPECT_EQ(model.data(model.index(1, 0)).toString(), "LLaMA-Base (baseline)");
    EXPECT_EQ(model.data(model.index(1, 0), Qt::ToolTipRole).toString(), "the base model");
    EXPECT_EQ(model.data(model.index(0, 0), Qt::ToolTipRole).toString(), "a run");
    EXPECT_FALSE(model.data(model.index(2, 0), Qt::ToolTipRole).isValid());
}

}  // namespace
}  // namespace amalgam
