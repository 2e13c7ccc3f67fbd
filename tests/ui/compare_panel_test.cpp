#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QImage>
#include <qcustomplot.h>

#include "core/store/workspace.h"
#include "test_support.h"
#include "ui/views/compare_panel.h"

namespace amalgam {
namespace {

TEST(ComparePanel, TableChartAndExportsFromAWorkspace) {
    test::TempDir dir;
    {
        Workspace w(dir / "ws.amalgam");
        w.save_eval_result("/m/base", "", "model-a",
                           R"({"metrics": {"bias": 0.4585, "bias_entropy": 0.0010, "bias_cluster": 3.0393, "accuracy": 0.9482, "similarity": 0.9482, "winogrande": 0.61}, "counts": {}})");
        w.save_eval_result("/m/base", "/a/hd", "model-b + adapter",
                           R"({"metrics": {"bias": 0.4330, "bias_entropy": 0.0580, "bias_cluster": 3.0892, "accuracy": 0.9482, "similarity": 0.9482, "winogrande": 0.63}, "counts": {}})");
    }
    Workspace w(dir / "ws.amalgam");
    ComparePanel panel;
    panel.resize(900, 600);
    panel.load(w);
    ASSERT_EQ(panel.model().rowCount(), 2);

    panel.showMetric(0);  // Bias
    auto* bars = qobject_cast<QCPBars*>(panel.chart().plottable(0));
    ASSERT_NE(bars, nullptr);
    ASSERT_EQ(bars->data()->size(), 2);
    EXPECT_DOUBLE_EQ(bars->data()->at(0)->value, 0.4585);
    EXPECT_DOUBLE_EQ(bars->data()->at(1)->value, 0.4330);
    panel.showMetric(5);  // WinoGrande
    bars = qobject_cast<QCPBars*>(panel.chart().plottable(0));
    EXPECT_DOUBLE_EQ(bars->data()->at(1)->value, 0.63);

    ASSERT_TRUE(panel.exportCsv(QString::fromStdString((dir / "table.csv").string())));
    EXPECT_EQ(test::read_text(dir / "table.csv"), comparison_csv(panel.model().rows()));
    ASSERT_TRUE(panel.exportMarkdown(QString::fromStdString((dir / "table.md").string())));
    EXPECT_NE(test::read_text(dir / "table.md").find("| model-b + adapter | **0.4330** |"), std::string::npos);
    const QString png = QString::fromStdString((dir / "panel.png").string());
    ASSERT_TRUE(panel.exportPng(png));
    QImage image(png);
    EXPECT_EQ(image.width(), 900);

    // The screenshot of the panel, kept with the build for the README.
    QDir().mkpath(AMALGAM_SCREENSHOT_DIR);
    EXPECT_TRUE(panel.exportPng(QString(AMALGAM_SCREENSHOT_DIR) + "/compare_panel.png"));
}

}  // namespace
}  // namespace amalgam
