#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <nlohmann/json.hpp>
#include <qcustomplot.h>

#include "core/store/workspace.h"
#include "test_support.h"
#include "ui/views/compare_panel.h"
#include "ui_test_support.h"

namespace amalgam {
namespace {

TEST(ComparePanel, TableChartAndExportsFromAWorkspace) {
    test::TempDir dir;
    {
        Workspace w(dir / "ws.amalgam");
        w.evaluations().save("/m/base", "", "model-a",
                           R"({"metrics": {"bias": 0.4585, "bias_entropy": 0.0010, "bias_cluster": 3.0393, "accuracy": 0.9482, "similarity": 0.9482, "winogrande": 0.61}, "counts": {}})");
        w.evaluations().save("/m/base", "/a/hd", "model-b + adapter",
                           R"({"metrics": {"bias": 0.4330, "bias_entropy": 0.0580, "bias_cluster": 3.0892, "accuracy": 0.9482, "similarity": 0.9482, "winogrande": 0.63}, "counts": {}})");
    }
    Workspace w(dir / "ws.amalgam");
    ComparePanel panel;
    panel.resize(900, 600);
    panel.load(stored_evaluations(w.evaluations()));
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

TEST(ComparePanel, TheLastStepOfEachRunLeavesOutARunsEarlierEvaluations) {
    test::TempDir dir;
    {
        Workspace w(dir / "ws.amalgam");
        const char* results = R"({"metrics": {"bias": 0.5}, "counts": {}})";
        w.evaluations().save("/m", "", "base", results);
        for (std::int64_t step : {100, 200, 300}) w.evaluations().save("/m", "", "ppo-3 @ step " + std::to_string(step), results, 3, step);
        w.evaluations().save("/m", "", "dpo-4", results, 4, 50);
        w.evaluations().save("/m", "", "ppo-5 @ step 100", results, 5, 100);
    }
    Workspace w(dir / "ws.amalgam");
    ComparePanel panel;
    panel.load(stored_evaluations(w.evaluations()));
    auto labels = [&] {
        QStringList out;
        for (const auto& row : panel.model().rows()) out << QString::fromStdString(row.label);
        return out;
    };
    EXPECT_EQ(labels().size(), 6);
    panel.showLastStepOfEachRun();
    EXPECT_EQ(labels(), QStringList({"base", "ppo-3 @ step 300", "dpo-4", "ppo-5 @ step 100"}));
    w.evaluations().save("/m", "", "ppo-5 @ step 200", R"({"metrics": {"bias": 0.4}, "counts": {}})", 5, 200);
    panel.load(stored_evaluations(w.evaluations()));  // a new evaluation arrives: the filter stays, and the run's newest step moves on
    EXPECT_EQ(labels(), QStringList({"base", "ppo-3 @ step 300", "dpo-4", "ppo-5 @ step 200"}));
    panel.setRunFilter(std::nullopt);
    EXPECT_EQ(labels().size(), 7);
}

/** A results.json of 40 WinoBias pairs whose bias grows by `shift` on each, and 40 WinoGrande
 *  answers the same for every model. */
std::string results_with_items(double shift) {
    nlohmann::json pairs = nlohmann::json::array(), choices = nlohmann::json::array();
    double bias = 0;
    for (int i = 0; i < 40; ++i) {
        const double gap = 0.1 * (i % 7) + shift;
        bias += gap / 40;
        auto side = [&](const std::string& source, double logprob) {
            return nlohmann::json{{"source", source}, {"occupation_logprob", logprob}, {"cluster_logprob", 2 * logprob}, {"correct", i % 2 == 0}};
        };
        pairs.push_back({{"pair", i}, {"kl", 0.01}, {"pro", side("pro:" + std::to_string(i), -1.0)}, {"anti", side("anti:" + std::to_string(i), -1.0 - gap)}});
        choices.push_back({{"source", "g:" + std::to_string(i)}, {"correct", i % 3 == 0}});
    }
    return nlohmann::json{{"metrics", {{"bias", bias}, {"winogrande", 14.0 / 40}}}, {"counts", nlohmann::json::object()},
                          {"items", {{"winobias", pairs}, {"winogrande", choices}}}}
        .dump();
}

TEST(ComparePanel, IntervalsAndDifferencesToABaselineArriveOffTheUiThread) {
    test::TempDir dir;
    Workspace w(dir / "ws.amalgam");
    w.evaluations().save("/m/base", "", "base", results_with_items(0));
    w.evaluations().save("/m/base", "/a/x", "tuned", results_with_items(0.05));
    ComparePanel panel;
    panel.load(stored_evaluations(w.evaluations()));
    const auto& model = panel.model();
    ASSERT_EQ(model.rowCount(), 2);
    ASSERT_TRUE(test::waitUntil([&] { return !panel.scoring(); }));
    const QString base = model.data(model.index(0, 1)).toString();
    EXPECT_TRUE(base.contains(QRegularExpression("^0\\.\\d{4}  \\[0\\.\\d{4}, 0\\.\\d{4}\\]$"))) << base.toStdString();

    panel.setBaseline(0);
    ASSERT_TRUE(test::waitUntil([&] { return !panel.scoring(); }));
    EXPECT_EQ(model.data(model.index(0, 0)).toString(), "base (baseline)");
    const QString tuned = model.data(model.index(1, 1)).toString();
    EXPECT_TRUE(tuned.endsWith("\n\u0394 +0.0500  [+0.0500, +0.0500]*")) << tuned.toStdString();
    EXPECT_EQ(model.data(model.index(1, 1), Qt::BackgroundRole).value<QColor>(), QColor(248, 218, 218)) << "more bias is worse";
    const QString same = model.data(model.index(1, 6)).toString();
    EXPECT_TRUE(same.endsWith("\u0394 +0.0000  [+0.0000, +0.0000]")) << same.toStdString();
    EXPECT_FALSE(model.data(model.index(1, 6), Qt::BackgroundRole).isValid());

    // The chart's error bars are the intervals; the exports carry the differences.
    panel.showMetric(0);
    auto* errors = qobject_cast<QCPErrorBars*>(panel.chart().plottable(1));
    ASSERT_NE(errors, nullptr);
    const ComparisonRow& row = model.rows()[0];
    EXPECT_DOUBLE_EQ(errors->data()->at(0).errorMinus, *row.values[0] - row.intervals[0]->lo);
    ASSERT_TRUE(panel.exportMarkdown(QString::fromStdString((dir / "table.md").string())));
    EXPECT_NE(test::read_text(dir / "table.md").find("| tuned | +0.0500 [+0.0500, +0.0500]* |"), std::string::npos)
        << test::read_text(dir / "table.md");

}

}  // namespace
}  // namespace amalgam
