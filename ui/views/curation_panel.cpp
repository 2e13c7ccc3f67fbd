#include "ui/views/curation_panel.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "ui/document/workbench.h"
#include "ui/jobs/background_task.h"
#include "ui/models/selection_counts_model.h"
#include "ui/views/table_fit.h"
#include "ui/views/name_combo.h"

namespace amalgam {
namespace {

constexpr int kBins = 24;

QSpinBox* spin(int low, int high, QWidget* parent) {
    auto* s = new QSpinBox(parent);
    s->setRange(low, high);
    return s;
}

}  // namespace

CurationPanel::CurationPanel(Workbench& workbench, QWidget* parent)
    : QWidget(parent), workbench_(workbench), labels_(new QTableWidget(0, 4, this)), embedder_(new QComboBox(this)),
      model_(new QLineEdit(this)), clusters_(spin(1, 1000, this)), restarts_(spin(1, 100, this)), seed_(spin(0, 1 << 30, this)),
      dedup_(new QDoubleSpinBox(this)),
      run_(new QPushButton(tr("Run curation"), this)), cancel_(new QPushButton(tr("Cancel"), this)),
      progress_(new QProgressBar(this)), status_(new QLabel(this)), fraction_(new QSlider(Qt::Horizontal, this)),
      fractionLabel_(new QLabel(this)), counts_(new SelectionCountsModel(this)), histogram_(new QCustomPlot(this)) {
    labels_->setHorizontalHeaderLabels({tr("Graded dataset"), tr("Label"), tr("Direction"), tr("Threshold")});
    labels_->horizontalHeaderItem(3)->setToolTip(tr("Where a numerical label turns an answer from desirable to undesirable "
                                                    "in unpaired.jsonl (empty: the dataset's median)"));
    labels_->horizontalHeader()->setStretchLastSection(true);
    labels_->verticalHeader()->hide();
    fitHeightToRows(labels_, 6);
    add_names(embedder_, embedder_kind_names);
    model_->setPlaceholderText(tr("model folder (minilm)"));
    fraction_->setRange(1, 100);
    progress_->setRange(0, 1000);
    cancel_->setEnabled(false);
    status_->setWordWrap(true);

    auto* settings = new QGroupBox(tr("Diversity"), this);
    auto* form = new QFormLayout(settings);
    form->addRow(tr("Embedder"), embedder_);
    form->addRow(tr("Model"), model_);
    form->addRow(tr("Clusters k"), clusters_);
    form->addRow(tr("Restarts"), restarts_);
    form->addRow(tr("Seed"), seed_);
    dedup_->setRange(0, 1);
    dedup_->setDecimals(2);
    dedup_->setSingleStep(0.01);
    dedup_->setSpecialValueText(tr("kept"));
    dedup_->setToolTip(tr("Leave out a pair whose prompt repeats a better pair's of its cluster: the same text, or an "
                          "embedding at this cosine or closer (0.95 is usual)"));
    form->addRow(tr("Duplicates"), dedup_);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(run_);
    runRow->addWidget(cancel_);
    form->addRow(runRow);
    form->addRow(progress_);
    form->addRow(status_);

    auto* cut = new QGroupBox(tr("Selection"), this);
    auto* cutLayout = new QVBoxLayout(cut);
    auto* sliderRow = new QHBoxLayout;
    sliderRow->addWidget(new QLabel(tr("Fraction"), this));
    sliderRow->addWidget(fraction_, 1);
    sliderRow->addWidget(fractionLabel_);
    cutLayout->addLayout(sliderRow);
    auto* countsView = new QTableView(this);
    countsView->setModel(counts_);
    countsView->horizontalHeader()->setSectionResizeMode(SelectionCountsModel::GroupColumn, QHeaderView::Stretch);
    countsView->verticalHeader()->hide();
    countsView->verticalHeader()->setDefaultSectionSize(countsView->fontMetrics().height() + 4);
    fitHeightToRows(countsView, 9);  // with the histogram below, the column fits a 900-pixel window
    cutLayout->addWidget(countsView);

    histogram_->setMinimumHeight(170);
    keptBars_ = new QCPBars(histogram_->xAxis, histogram_->yAxis);
    droppedBars_ = new QCPBars(histogram_->xAxis, histogram_->yAxis);
    keptBars_->setName(tr("selected"));
    droppedBars_->setName(tr("left out"));
    keptBars_->setBrush(QColor(31, 119, 180));
    keptBars_->setPen(Qt::NoPen);
    droppedBars_->setBrush(QColor(200, 200, 200));
    droppedBars_->setPen(Qt::NoPen);
    droppedBars_->moveAbove(keptBars_);
    cutoff_ = new QCPItemStraightLine(histogram_);
    cutoff_->setPen(QPen(QColor(214, 39, 40), 2, Qt::DashLine));
    histogram_->xAxis->setLabel(tr("quality (label gap)"));
    histogram_->yAxis->setLabel(tr("pairs"));
    histogram_->legend->setVisible(true);
    histogram_->legend->setFont(QFont(font().family(), 8));
    histogram_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    cutLayout->addWidget(histogram_, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(labels_);
    layout->addWidget(settings);
    layout->addWidget(cut, 1);

    connect(run_, &QPushButton::clicked, this, [this] {
        storeSettings();
        workbench_.runCuration();
    });
    connect(cancel_, &QPushButton::clicked, this, [this] { workbench_.task().cancel(); });
    connect(fraction_, &QSlider::valueChanged, this, [this](int percent) {
        if (!workbench_.isOpen()) showFraction();  // nothing to cut yet
        else if (std::lround(workbench_.fraction() * 100) != percent) workbench_.setFraction(percent / 100.0);
    });
    for (QSpinBox* s : {clusters_, restarts_, seed_}) connect(s, &QSpinBox::editingFinished, this, &CurationPanel::storeSettings);
    connect(embedder_, &QComboBox::currentTextChanged, this, &CurationPanel::storeSettings);
    connect(model_, &QLineEdit::editingFinished, this, &CurationPanel::storeSettings);
    connect(dedup_, &QDoubleSpinBox::editingFinished, this, &CurationPanel::storeSettings);

    BackgroundTask& task = workbench_.task();
    connect(&task, &BackgroundTask::started, this, [this](const QString& title) {
        run_->setEnabled(false);
        cancel_->setEnabled(true);
        status_->setText(title);
        progress_->setValue(0);
    });
    connect(&task, &BackgroundTask::progressed, this, [this](const QString& stage, double share) {
        progress_->setFormat(stage + " %p%");
        progress_->setValue(static_cast<int>(share * 1000));
    });
    connect(&task, &BackgroundTask::finished, this, [this](const QString& error) {
        run_->setEnabled(true);
        cancel_->setEnabled(false);
        progress_->setValue(error.isEmpty() ? 1000 : 0);
        status_->setText(error.isEmpty() ? tr("done") : error);
    });
    connect(&workbench_, &Workbench::opened, this, &CurationPanel::showSettings);
    connect(&workbench_, &Workbench::datasetsChanged, this, &CurationPanel::showDatasets);
    connect(&workbench_, &Workbench::selectionChanged, this, &CurationPanel::showSelection);
    connect(&workbench_, &Workbench::recipeChanged, this, [this] {
        showSettings();  // an undone edit changes them too
        if (!workbench_.task().running() && workbench_.curationOutdated())
            status_->setText(tr("Labels or settings changed since this curation: run it again to apply them."));
    });
    showSettings();
}

void CurationPanel::showSettings() {
    const CurationSettings& s = workbench_.recipe().curate;
    const QSignalBlocker block(embedder_);
    choose(embedder_, s.embedder);
    model_->setText(QString::fromStdString(s.model));
    clusters_->setValue(s.clusters);
    restarts_->setValue(s.restarts);
    seed_->setValue(static_cast<int>(s.seed));
    dedup_->setValue(s.dedup.value_or(0.0));
    showFraction();
}

void CurationPanel::showFraction() {
    const QSignalBlocker block(fraction_);
    fraction_->setValue(static_cast<int>(std::lround(workbench_.fraction() * 100)));
    fractionLabel_->setText(QString("%1").arg(workbench_.fraction(), 0, 'f', 2));
}

void CurationPanel::storeSettings() {
    if (!workbench_.isOpen()) return;
    CurationSettings s = workbench_.recipe().curate;
    s.embedder = chosen<EmbedderKind>(embedder_);
    s.model = model_->text().trimmed().toStdString();
    s.clusters = clusters_->value();
    s.restarts = restarts_->value();
    s.seed = static_cast<std::uint64_t>(seed_->value());
    s.dedup = dedup_->value() > 0 ? std::optional<double>(dedup_->value()) : std::nullopt;
    workbench_.setSettings(s);
}

void CurationPanel::showDatasets() {
    labels_->setRowCount(0);
    for (const auto& d : workbench_.datasets()) {
        const DatasetSpec* spec = nullptr;
        for (const auto& s : workbench_.recipe().datasets)
            if (s.name == d->name && s.role == DatasetRole::Train) spec = &s;
        const std::set<std::string> names = label_names(d->dataset.prompts);
        if (!spec || names.empty()) continue;
        const int row = labels_->rowCount();
        labels_->insertRow(row);
        auto* name = new QTableWidgetItem(QString::fromStdString(d->name));
        name->setFlags(Qt::ItemIsEnabled);
        labels_->setItem(row, 0, name);
        auto* label = new QComboBox(labels_);
        auto* direction = new QComboBox(labels_);
        label->addItem(tr("(format default)"), QString());
        for (const auto& n : names) label->addItem(QString::fromStdString(n), QString::fromStdString(n));
        add_names(direction, direction_names);
        if (spec->label) label->setCurrentIndex(label->findData(QString::fromStdString(*spec->label)));
        if (spec->direction) choose(direction, *spec->direction);
        auto* threshold = new QLineEdit(labels_);
        threshold->setPlaceholderText(tr("median"));
        threshold->setValidator(new QDoubleValidator(threshold));
        if (spec->threshold) threshold->setText(QString::number(*spec->threshold, 'g', 10));
        labels_->setCellWidget(row, 1, label);
        labels_->setCellWidget(row, 2, direction);
        labels_->setCellWidget(row, 3, threshold);
        const std::string datasetName = d->name;
        auto store = [this, datasetName, label, direction, threshold] {
            const QString name = label->currentData().toString();
            const QString cut = threshold->text().trimmed();
            workbench_.setLabel(datasetName, {name.isEmpty() ? std::nullopt : std::optional<std::string>(name.toStdString()),
                                              chosen<Direction>(direction),
                                              cut.isEmpty() ? std::nullopt : std::optional<double>(QLocale().toDouble(cut))});
        };
        connect(label, &QComboBox::currentIndexChanged, this, store, Qt::QueuedConnection);
        connect(direction, &QComboBox::currentIndexChanged, this, store, Qt::QueuedConnection);
        connect(threshold, &QLineEdit::editingFinished, this, store, Qt::QueuedConnection);
    }
    labels_->resizeColumnsToContents();
}

void CurationPanel::showSelection() {
    auto curation = workbench_.curation();
    const auto& selected = workbench_.selected();
    counts_->setSelection(curation, workbench_.counts());
    QVector<double> keys(kBins), kept(kBins, 0), dropped(kBins, 0);
    double low = 0, high = 0, cutoff = std::numeric_limits<double>::infinity();
    bool any = false;
    if (curation) {
        for (const auto& p : curation->pairs)
            if (p.quality) {
                low = any ? std::min(low, *p.quality) : *p.quality;
                high = any ? std::max(high, *p.quality) : *p.quality;
                any = true;
            }
    }
    const double width = any && high > low ? (high - low) / kBins : 1.0;
    for (int b = 0; b < kBins; ++b) keys[b] = low + (b + 0.5) * width;
    if (any)
        for (std::size_t i = 0; i < curation->pairs.size(); ++i) {
            const auto& q = curation->pairs[i].quality;
            if (!q) continue;
            const int b = std::clamp(static_cast<int>((*q - low) / width), 0, kBins - 1);
            (selected[i] ? kept : dropped)[b] += 1;
            if (selected[i]) cutoff = std::min(cutoff, *q);
        }
    keptBars_->setWidth(width);
    droppedBars_->setWidth(width);
    keptBars_->setData(keys, kept, true);
    droppedBars_->setData(keys, dropped, true);
    cutoff_->setVisible(any && std::isfinite(cutoff));
    if (std::isfinite(cutoff)) {
        cutoff_->point1->setCoords(cutoff, 0);
        cutoff_->point2->setCoords(cutoff, 1);
    }
    double tallest = 1;
    for (int b = 0; b < kBins; ++b) tallest = std::max(tallest, kept[b] + dropped[b]);
    histogram_->xAxis->setRange(low, any ? low + kBins * width : 1.0);
    histogram_->yAxis->setRange(0, tallest * 1.15);
    histogram_->replot();
    showFraction();
}

}  // namespace amalgam
