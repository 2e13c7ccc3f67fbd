#include "ui/views/compare_panel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QSaveFile>
#include <QTableView>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "core/store/workspace.h"

namespace amalgam {
namespace {

/** Writes text through a temporary file, so that a failed export leaves nothing half-written. */
bool save_text(const QString& path, const std::string& text) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return false;
    file.write(text.data(), static_cast<qint64>(text.size()));
    return file.commit();
}

}  // namespace

ComparePanel::ComparePanel(QWidget* parent)
    : QWidget(parent), table_(new QTableView(this)), metric_(new QComboBox(this)), chart_(new QCustomPlot(this)) {
    table_->setModel(&model_);
    table_->setSortingEnabled(true);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->verticalHeader()->hide();
    for (const auto& c : comparison_columns()) metric_->addItem(QString::fromUtf8(c.heading));

    auto* exportButton = new QPushButton(tr("Export\u2026"), this);
    auto* controls = new QHBoxLayout;
    controls->addWidget(metric_);
    controls->addStretch();
    controls->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(table_, 3);
    layout->addLayout(controls);
    layout->addWidget(chart_, 2);

    chart_->setMinimumHeight(180);
    connect(metric_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { redrawChart(); });
    connect(&model_, &QAbstractItemModel::modelReset, this, [this] { redrawChart(); });
    connect(&model_, &QAbstractItemModel::layoutChanged, this, [this] { redrawChart(); });
    connect(exportButton, &QPushButton::clicked, this, [this] { chooseExport(); });
}

void ComparePanel::load(Workspace& workspace) {
    std::vector<ComparisonRow> rows;
    for (const auto& r : workspace.eval_results()) rows.push_back(comparison_row(r.label, r.metrics_json));
    setRows(std::move(rows));
}

void ComparePanel::setRows(std::vector<ComparisonRow> rows) { model_.setRows(std::move(rows)); }

void ComparePanel::showMetric(int column) { metric_->setCurrentIndex(column); }

void ComparePanel::redrawChart() {
    chart_->clearPlottables();
    const int column = metric_->currentIndex();
    auto* bars = new QCPBars(chart_->xAxis, chart_->yAxis);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    QVector<double> keys, values;
    for (std::size_t r = 0; r < model_.rows().size(); ++r) {
        const auto& v = model_.rows()[r].values[static_cast<std::size_t>(column)];
        if (!v) continue;
        keys << static_cast<double>(keys.size() + 1);
        values << *v;
        ticker->addTick(keys.last(), QString::fromStdString(model_.rows()[r].label));
    }
    bars->setData(keys, values);
    bars->setWidth(0.6);
    chart_->xAxis->setTicker(ticker);
    chart_->xAxis->setRange(0, keys.size() + 1);
    chart_->yAxis->setLabel(metric_->currentText());
    chart_->yAxis->rescale();
    chart_->yAxis->setRangeLower(std::min(0.0, chart_->yAxis->range().lower));
    chart_->yAxis->setRangeUpper(chart_->yAxis->range().upper * 1.1 + 1e-9);
    chart_->replot();
}

bool ComparePanel::exportCsv(const QString& path) const { return save_text(path, comparison_csv(model_.rows())); }

bool ComparePanel::exportMarkdown(const QString& path) const { return save_text(path, comparison_markdown(model_.rows())); }

bool ComparePanel::exportPng(const QString& path) { return grab().save(path, "PNG"); }

void ComparePanel::chooseExport() {
    QString selected;
    QString path = QFileDialog::getSaveFileName(this, tr("Export comparison"), QString(),
                                                tr("CSV (*.csv);;Markdown (*.md);;PNG image (*.png)"), &selected);
    if (path.isEmpty()) return;
    if (path.endsWith(".png", Qt::CaseInsensitive)) exportPng(path);
    else if (path.endsWith(".md", Qt::CaseInsensitive)) exportMarkdown(path);
    else exportCsv(path);
}

}  // namespace amalgam
