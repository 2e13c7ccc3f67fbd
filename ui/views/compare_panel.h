#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include <QWidget>

#include "core/store/evaluation_store.h"
#include "ui/document/document_types.h"
#include "ui/models/comparison_table_model.h"

class QComboBox;
class QCustomPlot;
class QTableView;

namespace amalgam {

class BackgroundTask;
class Experiments;

/** Compares evaluations: the Table 1 layout (sortable, best per column in bold), each value
 *  with its 95% bootstrap interval over the items and, against a chosen baseline row, the
 *  difference with its paired interval; rows filtered by the run they came from, or to each
 *  run's last evaluated step; a bar chart of
 *  one metric with the intervals as error bars; and export to CSV, Markdown and PNG. The
 *  values show at once, their intervals once computed off the UI thread. */
class ComparePanel : public QWidget {
    Q_OBJECT

public:
    explicit ComparePanel(QWidget* parent = nullptr);
    ~ComparePanel() override;

    /** Shows the evaluations; `experiments`, when given, tells the runs they came from. */
    void load(const StoredEvaluations& evaluations, const Experiments* experiments = nullptr);
    /** The row to difference against (an index into the stored evaluations), or none. */
    void setBaseline(std::optional<std::size_t> row);
    /** Shows only the evaluations of one run (by id), or all. */
    void setRunFilter(std::optional<std::int64_t> run);
    /** Shows every evaluation but the earlier steps of a run evaluated more than once (PPO
     *  evaluates itself every eval_every steps): each run's newest, and the rest. */
    void showLastStepOfEachRun();
    /** Whether intervals are still being computed. */
    bool scoring() const;

    /** The chart shows this comparison column (0 = Bias ... 5 = WinoGrande). */
    void showMetric(int column);

    bool exportCsv(const QString& path) const;
    bool exportMarkdown(const QString& path) const;
    bool exportPng(const QString& path);

    const ComparisonTableModel& model() const { return model_; }
    QCustomPlot& chart() { return *chart_; }

signals:
    /** The intervals (and differences) of the rows shown are in. */
    void scored();

private:
    /** Computes what is missing (items, intervals, differences to the baseline) off the UI thread. */
    void score();
    /** Puts the stored rows through the run filter into the table. */
    void show();
    void redrawChart();
    void chooseExport();

    ComparisonTableModel model_;
    QTableView* table_;
    QComboBox* baseline_;
    QComboBox* runs_;
    QComboBox* metric_;
    QCustomPlot* chart_;
    BackgroundTask* scorer_;
    bool rescore_ = false;  ///< asked again while scoring
    int generation_ = 0;    ///< counts loads: scores of an older load are dropped
    std::vector<EvalRow> stored_;
    std::vector<ComparisonRow> rows_;             ///< one per stored evaluation, scored as far as known
    std::map<std::int64_t, std::string> unread_;  ///< results.json of rows whose items are not read yet
    std::vector<QString> origins_;
};

}  // namespace amalgam
