#include "ui/views/compare_panel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSaveFile>
#include <QTableView>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>
#include <qcustomplot.h>

#include "core/util/progress.h"
#include "ui/document/experiments.h"
#include "ui/jobs/background_task.h"
#include "ui/views/table_fit.h"

namespace amalgam {
namespace {

/** The rows filter's entry for each run's last evaluated step (run ids are numbers). */
const QString kLastSteps = QStringLiteral("last steps");

/** Writes text through a temporary file, so that a failed export leaves nothing half-written. */
bool save_text(const QString& path, const std::string& text) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return false;
    file.write(text.data(), static_cast<qint64>(text.size()));
    return file.commit();
}

}  // namespace

ComparePanel::ComparePanel(QWidget* parent)
    : QWidget(parent), table_(new QTableView(this)), baseline_(new QComboBox(this)), runs_(new QComboBox(this)),
      metric_(new QComboBox(this)), chart_(new QCustomPlot(this)), scorer_(new BackgroundTask(this)) {
    table_->setModel(&model_);
    table_->setSortingEnabled(true);
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    fillWidth(table_);
    fitHeightToRows(table_, 12);
    table_->verticalHeader()->hide();
    table_->setWordWrap(false);
    for (const auto& c : comparison_columns()) metric_->addItem(QString::fromUtf8(c.heading));
    baseline_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    runs_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    baseline_->setToolTip(tr("each row's difference to this one, with a paired bootstrap interval over the same items"));

    auto* exportButton = new QPushButton(tr("Export\u2026"), this);
    auto* filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Baseline"), this));
    filters->addWidget(baseline_);
    filters->addWidget(new QLabel(tr("Rows"), this));
    filters->addWidget(runs_);
    filters->addStretch();
    filters->addWidget(new QLabel(tr("95% bootstrap intervals over the items; * the difference's interval excludes 0"), this));
    auto* controls = new QHBoxLayout;
    controls->addWidget(metric_);
    controls->addStretch();
    controls->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(table_);
    layout->addLayout(controls);
    layout->addWidget(chart_, 1);

    chart_->setMinimumHeight(180);
    connect(metric_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { redrawChart(); });
    connect(&model_, &QAbstractItemModel::modelReset, this, [this] { redrawChart(); });
    connect(&model_, &QAbstractItemModel::layoutChanged, this, [this] { redrawChart(); });
    connect(exportButton, &QPushButton::clicked, this, [this] { chooseExport(); });
    connect(baseline_, qOverload<int>(&QComboBox::activated), this, [this] {
        const QVariant row = baseline_->currentData();
        setBaseline(row.isValid() ? std::optional<std::size_t>(row.toULongLong()) : std::nullopt);
    });
    connect(runs_, qOverload<int>(&QComboBox::activated), this, [this] { show(); });
    connect(scorer_, &BackgroundTask::finished, this, [this] {
        if (std::exchange(rescore_, false)) score();
        else emit scored();
    });
}

ComparePanel::~ComparePanel() { scorer_->wait(); }

void ComparePanel::load(const StoredEvaluations& evaluations, const Experiments* experiments) {
    std::map<std::int64_t, ComparisonRow> known;  // rows read before keep their items and intervals
    for (std::size_t i = 0; i < stored_.size() && i < rows_.size(); ++i) known.emplace(stored_[i].id, std::move(rows_[i]));
    const QVariant baseline = baseline_->currentData();
    const std::int64_t baselineId =  // ids are positive: -1 is none
        baseline.isValid() && baseline.toULongLong() < stored_.size() ? stored_[baseline.toULongLong()].id : -1;

    stored_ = evaluations.rows;
    ++generation_;
    rows_.clear();
    origins_.clear();
    baseline_->clear();
    baseline_->addItem(tr("none"));
    const QVariant run = runs_->currentData();
    runs_->clear();
    runs_->addItem(tr("all evaluations"));
    runs_->addItem(tr("each run's last step"), kLastSteps);
    for (std::size_t i = 0; i < stored_.size(); ++i) {
        const auto& r = stored_[i];
        auto it = known.find(r.id);
        if (it != known.end()) {
            rows_.push_back(std::move(it->second));
        } else {
            rows_.push_back(comparison_row(r.label, r.metrics_json));
            unread_[r.id] = evaluations.document(r.id);
        }
        baseline_->addItem(QString::fromStdString(r.label), static_cast<qulonglong>(i));
        if (baselineId == r.id) baseline_->setCurrentIndex(baseline_->count() - 1);
        QString origin;
        if (const auto* source = experiments && r.run ? experiments->run(*r.run) : nullptr) {
            origin = experiments->lineage(*r.run) + (r.step ? tr(", at step %1").arg(*r.step) : QString());
            if (runs_->findData(static_cast<qlonglong>(*r.run)) < 0)
                runs_->addItem(tr("run %1").arg(QString::fromStdString(source->label)), static_cast<qlonglong>(*r.run));
        }
        origins_.push_back(origin);
    }
    runs_->setCurrentIndex(std::max(0, runs_->findData(run)));
    show();
    score();
}

void ComparePanel::setBaseline(std::optional<std::size_t> row) {
    baseline_->setCurrentIndex(row ? baseline_->findData(static_cast<qulonglong>(*row)) : 0);
    score();
}

void ComparePanel::setRunFilter(std::optional<std::int64_t> run) {
    runs_->setCurrentIndex(run ? std::max(0, runs_->findData(static_cast<qlonglong>(*run))) : 0);
    show();
}

void ComparePanel::showLastStepOfEachRun() {
    runs_->setCurrentIndex(runs_->findData(kLastSteps));
    show();
}

bool ComparePanel::scoring() const { return scorer_->running() || rescore_; }

void ComparePanel::score() {
    if (scorer_->running()) {
        rescore_ = true;
        return;
    }
    auto rows = std::make_shared<std::vector<ComparisonRow>>(rows_);
    auto unread = std::make_shared<std::map<std::size_t, std::string>>();
    for (std::size_t i = 0; i < stored_.size(); ++i)
        if (auto it = unread_.find(stored_[i].id); it != unread_.end()) (*unread)[i] = it->second;
    const QVariant chosen = baseline_->currentData();
    const std::optional<std::size_t> baseline = chosen.isValid() ? std::optional<std::size_t>(chosen.toULongLong()) : std::nullopt;
    const int generation = generation_;
    scorer_->start(tr("Bootstrap intervals"), [rows, unread, baseline](Progress&) {
        for (auto& [i, document] : *unread) {
            try {
                (*rows)[i] = scored_comparison_row((*rows)[i].label, nlohmann::json::parse(document));
            } catch (const std::exception&) {
                // A results.json without per-item records keeps its bare values.
            }
        }
        add_uncertainty(*rows, baseline, {});
    }, [this, rows, generation] {
        if (generation != generation_) return;  // loaded anew meanwhile: that load scores again
        rows_ = std::move(*rows);
        for (const auto& r : stored_) unread_.erase(r.id);
        show();
    });
}

void ComparePanel::show() {
    const QVariant filter = runs_->currentData();
    auto shown = [&](const EvalRow& r) {
        if (filter == QVariant(kLastSteps)) return !superseded(r, stored_);
        return !filter.isValid() || r.run == filter.toLongLong();
    };
    const QVariant chosen = baseline_->currentData();
    std::vector<ComparisonRow> rows;
    std::vector<QString> origins;
    std::optional<std::size_t> baseline;
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        if (!shown(stored_[i])) continue;
        if (chosen.isValid() && chosen.toULongLong() == i) baseline = rows.size();
        rows.push_back(rows_[i]);
        origins.push_back(origins_[i]);
    }
    model_.setRows(std::move(rows), baseline, std::move(origins));
}

void ComparePanel::showMetric(int column) { metric_->setCurrentIndex(column); }

void ComparePanel::redrawChart() {
    chart_->clearPlottables();
    const auto column = static_cast<std::size_t>(metric_->currentIndex());
    auto* bars = new QCPBars(chart_->xAxis, chart_->yAxis);
    auto* errors = new QCPErrorBars(chart_->xAxis, chart_->yAxis);
    errors->setDataPlottable(bars);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    QVector<double> keys, values, below, above;
    for (const ComparisonRow& row : model_.rows()) {
        const auto& v = row.values[column];
        if (!v) continue;
        keys << static_cast<double>(keys.size() + 1);
        values << *v;
        const auto& i = row.intervals[column];
        below << (i ? *v - i->lo : 0.0);
        above << (i ? i->hi - *v : 0.0);
        ticker->addTick(keys.last(), QString::fromStdString(row.label));
    }
    bars->setData(keys, values);
    bars->setWidth(0.6);
    errors->setData(below, above);
    chart_->xAxis->setTicker(ticker);
    chart_->xAxis->setRange(0, keys.size() + 1);
    chart_->yAxis->setLabel(metric_->currentText());
    chart_->rescaleAxes();
    chart_->xAxis->setRange(0, keys.size() + 1);
    chart_->yAxis->setRangeLower(std::min(0.0, chart_->yAxis->range().lower));
    chart_->yAxis->setRangeUpper(chart_->yAxis->range().upper * 1.1 + 1e-9);
    chart_->replot();
}

bool ComparePanel::exportCsv(const QString& path) const { return save_text(path, comparison_csv(model_.rows(), model_.baseline())); }

bool ComparePanel::exportMarkdown(const QString& path) const {
    return save_text(path, comparison_markdown(model_.rows(), model_.baseline()));
}

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
