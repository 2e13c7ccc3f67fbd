#include "ui/views/run_curves.h"

#include <set>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "ui/document/experiments.h"
#include "ui/views/palette.h"

namespace amalgam {
namespace {

/** Keys that are not curves: the x axis and bookkeeping. */
bool plottable(const QString& key) { return key != "step" && key != "epoch"; }

/** The metrics a researcher looks at first come first; the rest in name order. */
int rank(const QString& key) {
    static const QStringList first = {"loss", "objective/scores", "accuracy", "rewards/accuracies", "margin", "rewards/margins",
                                      "objective/kl", "kl_coef", "lr", "grad_norm"};
    const int i = static_cast<int>(first.indexOf(key));
    return i < 0 ? static_cast<int>(first.size()) : i;
}

}  // namespace

RunCurves::RunCurves(Experiments& experiments, QWidget* parent)
    : QWidget(parent), experiments_(experiments), metric_(new QComboBox(this)), plot_(new QCustomPlot(this)) {
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Metric"), this));
    controls->addWidget(metric_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(plot_, 1);
    plot_->setMinimumHeight(200);
    plot_->xAxis->setLabel(tr("step"));
    plot_->legend->setVisible(true);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    connect(metric_, &QComboBox::currentTextChanged, this, [this] { redraw(); });
    connect(&experiments_, &Experiments::metricsAppended, this, [this](std::int64_t run) {
        if (std::find(runs_.begin(), runs_.end(), run) == runs_.end()) return;
        refillMetrics();
        redraw();
    });
}

void RunCurves::showRuns(const std::vector<std::int64_t>& runs) {
    runs_ = runs;
    refillMetrics();
    redraw();
}

bool RunCurves::showMetric(const QString& name) {
    const int i = metric_->findText(name);
    if (i >= 0) metric_->setCurrentIndex(i);
    return i >= 0;
}

QString RunCurves::metric() const { return metric_->currentText(); }

void RunCurves::refillMetrics() {
    std::set<QString> keys;
    for (std::int64_t run : runs_)
        for (const MetricsLine& line : experiments_.metrics(run))
            for (auto it = line.begin(); it != line.end(); ++it)
                if (plottable(it.key()) && it.value().isDouble()) keys.insert(it.key());
    QStringList names(keys.begin(), keys.end());
    std::stable_sort(names.begin(), names.end(), [](const QString& a, const QString& b) { return rank(a) < rank(b); });
    QStringList present;
    for (int i = 0; i < metric_->count(); ++i) present << metric_->itemText(i);
    if (names == present) return;
    const QString chosen = metric_->currentText();
    const QSignalBlocker block(metric_);
    metric_->clear();
    metric_->addItems(names);
    metric_->setCurrentIndex(std::max(0, static_cast<int>(names.indexOf(chosen))));
}

void RunCurves::redraw() {
    plot_->clearGraphs();
    const QString key = metric_->currentText();
    for (std::size_t i = 0; i < runs_.size(); ++i) {
        QVector<double> steps, values;
        for (const MetricsLine& line : experiments_.metrics(runs_[i]))
            if (line.value(key).isDouble()) {
                steps << line.value("step").toDouble();
                values << line.value(key).toDouble();
            }
        QCPGraph* graph = plot_->addGraph();
        graph->setData(steps, values, true);
        graph->setPen(QPen(QColor(categoryColour(static_cast<int>(i))), 2));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        const auto* run = experiments_.run(runs_[i]);
        graph->setName(run ? QString::fromStdString(run->label) : QString());
    }
    plot_->yAxis->setLabel(key);
    plot_->rescaleAxes();
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

std::vector<int> RunCurves::pointCounts() const {
    std::vector<int> out;
    for (int i = 0; i < plot_->graphCount(); ++i) out.push_back(plot_->graph(i)->dataCount());
    return out;
}

}  // namespace amalgam
