#pragma once

#include <QWidget>

#include "ui/models/comparison_table_model.h"

class QComboBox;
class QCustomPlot;
class QTableView;

namespace amalgam {

class Workspace;

/** Compares evaluations: the Table 1 layout (sortable, best per column in bold), a bar chart
 *  of one metric across the rows, and export to CSV, Markdown and PNG. */
class ComparePanel : public QWidget {
    Q_OBJECT

public:
    explicit ComparePanel(QWidget* parent = nullptr);

    /** Shows every evaluation stored in the workspace. */
    void load(Workspace& workspace);
    void setRows(std::vector<ComparisonRow> rows);

    /** The chart shows this comparison column (0 = Bias ... 5 = WinoGrande). */
    void showMetric(int column);

    bool exportCsv(const QString& path) const;
    bool exportMarkdown(const QString& path) const;
    bool exportPng(const QString& path);

    const ComparisonTableModel& model() const { return model_; }
    QCustomPlot& chart() { return *chart_; }

private:
    void redrawChart();
    void chooseExport();

    ComparisonTableModel model_;
    QTableView* table_;
    QComboBox* metric_;
    QCustomPlot* chart_;
};

}  // namespace amalgam
