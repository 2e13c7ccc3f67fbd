#include "ui/views/datasets_panel.h"

#include <map>

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "ui/document/workbench.h"
#include "ui/jobs/background_task.h"
#include "ui/models/record_table_model.h"
#include "ui/views/add_dataset_dialog.h"
#include "ui/views/record_html.h"
#include "ui/views/table_fit.h"

namespace amalgam {

DatasetsPanel::DatasetsPanel(Workbench& workbench, QWidget* parent)
    : QWidget(parent), workbench_(workbench), datasets_(new QTableWidget(0, 11, this)), search_(new QLineEdit(this)),
      shown_(new QLabel(this)), recordView_(new QTableView(this)), details_(new QTextBrowser(this)),
      records_(new RecordTableModel(this)) {
    datasets_->setHorizontalHeaderLabels(
        {tr("Dataset"), tr("Format"), tr("Role"), tr("Records"), tr("Prompts"), tr("Skipped lines"), tr("Pairs"),
         tr("In D_train"), tr("Unpaired"), tr("Label"), tr("File")});
    datasets_->horizontalHeaderItem(8)->setToolTip(
        tr("Answers labelled desirable or undesirable on their own (unpaired.jsonl, for KTO); in brackets, the prompts among "
           "theirs that pairing drops"));
    datasets_->setSelectionBehavior(QAbstractItemView::SelectRows);
    datasets_->setSelectionMode(QAbstractItemView::SingleSelection);
    datasets_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    datasets_->horizontalHeader()->setStretchLastSection(true);
    datasets_->verticalHeader()->hide();
    fitHeightToRows(datasets_, 12);
    recordView_->setModel(records_);
    recordView_->horizontalHeader()->setSectionResizeMode(RecordTableModel::PromptColumn, QHeaderView::Stretch);
    recordView_->verticalHeader()->setDefaultSectionSize(recordView_->fontMetrics().height() + 6);
    recordView_->setWordWrap(false);
    recordView_->setSelectionBehavior(QAbstractItemView::SelectRows);
    search_->setPlaceholderText(tr("Search ids and prompts"));
    search_->setClearButtonEnabled(true);

    auto* add = new QPushButton(tr("Add dataset\u2026"), this);
    auto* remove = new QPushButton(tr("Remove"), this);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch();
    auto* top = new QWidget(this);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(buttons);
    topLayout->addWidget(datasets_);
    auto* bottom = new QWidget(this);
    auto* bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    auto* searchRow = new QHBoxLayout;
    searchRow->addWidget(search_, 1);
    searchRow->addWidget(shown_);
    bottomLayout->addLayout(searchRow);
    auto* recordSplit = new QSplitter(Qt::Horizontal, this);
    recordSplit->addWidget(recordView_);
    recordSplit->addWidget(details_);
    recordSplit->setStretchFactor(0, 3);
    recordSplit->setStretchFactor(1, 2);
    bottomLayout->addWidget(recordSplit, 1);
    auto* layout = new QVBoxLayout(this);  // the datasets as tall as their rows, the records below take the rest
    layout->addWidget(top);
    layout->addWidget(bottom, 1);

    connect(add, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Add dataset"), QString(),
                                                          tr("Datasets (*.jsonl *.json *.csv *.tsv *.txt *.dev *.test);;All files (*)"));
        if (!file.isEmpty()) addFile(file);
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const auto rows = datasets_->selectionModel()->selectedRows();
        if (!rows.isEmpty()) workbench_.removeDataset(datasets_->item(rows.front().row(), 0)->text().toStdString());
    });
    connect(datasets_, &QTableWidget::itemSelectionChanged, this, &DatasetsPanel::showRecords);
    connect(search_, &QLineEdit::textChanged, this, [this](const QString& text) {
        records_->setSearch(text);
        shown_->setText(tr("%1 shown").arg(records_->rowCount()));
    });
    connect(recordView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        details_->setHtml(current.isValid() ? promptHtml(records_->source()->dataset.prompts[records_->promptAt(current.row())]) : QString());
    });
    connect(&workbench_, &Workbench::datasetsChanged, this, &DatasetsPanel::refresh);
    connect(&workbench_, &Workbench::selectionChanged, this, &DatasetsPanel::refresh);
}

void DatasetsPanel::addFile(const QString& file) {
    AddDatasetDialog dialog(file, this);
    if (dialog.exec() != QDialog::Accepted) return;
    workbench_.addDataset(dialog.spec());
}

void DatasetsPanel::refresh() {
    const QString current = datasets_->currentRow() >= 0 ? datasets_->item(datasets_->currentRow(), 0)->text() : QString();
    const auto& specs = workbench_.recipe().datasets;
    // Pairs, selected pairs and unpaired rows per source, when there is a curation.
    std::map<std::string, std::pair<std::size_t, std::size_t>> pairs;
    std::map<std::string, QString> unpaired;
    if (auto c = workbench_.curation()) {
        const SelectionCounts& counts = workbench_.counts();
        for (std::size_t s = 0; s < c->sources.size(); ++s) {
            pairs[c->sources[s].name] = {counts.source_pairs[s], counts.source_selected[s]};
            unpaired[c->sources[s].name] =
                QString("%1 (%2)").arg(counts.source_unpaired[s]).arg(c->sources[s].counts.unpaired_only_prompts);
        }
    }
    datasets_->setRowCount(static_cast<int>(specs.size()));
    for (int r = 0; r < static_cast<int>(specs.size()); ++r) {
        const DatasetSpec& spec = specs[static_cast<std::size_t>(r)];
        const CurationSource* read = nullptr;
        for (const auto& d : workbench_.datasets())
            if (d->name == spec.name) read = d.get();
        const QString label = spec.label ? QString("%1 (%2)").arg(QString::fromStdString(*spec.label),
                                                                  spec.direction ? to_string(*spec.direction) : "")
                                         : QString();
        const QStringList cells = {QString::fromStdString(spec.name),
                                   QString::fromStdString(read ? read->dataset.format : spec.format),
                                   QString(to_string(spec.role)),
                                   read ? QString::number(read->dataset.report.lines)
                                        : workbench_.task().running() ? tr("reading\u2026") : tr("not read"),
                                   read ? QString::number(read->dataset.prompts.size()) : QString(),
                                   read ? QString::number(read->dataset.report.skipped_lines) : QString(),
                                   pairs.count(spec.name) ? QString::number(pairs[spec.name].first) : QString(),
                                   pairs.count(spec.name) ? QString::number(pairs[spec.name].second) : QString(),
                                   unpaired.count(spec.name) ? unpaired[spec.name] : QString(),
                                   label,
                                   QString::fromStdString(spec.path.string())};
        for (int c = 0; c < cells.size(); ++c) datasets_->setItem(r, c, new QTableWidgetItem(cells[c]));
        if (cells[0] == current) datasets_->selectRow(r);
    }
    datasets_->resizeColumnsToContents();
    if (datasets_->currentRow() < 0 && datasets_->rowCount() > 0) datasets_->selectRow(0);
    showRecords();
}

void DatasetsPanel::showRecords() {
    std::shared_ptr<const CurationSource> source;
    if (const int row = datasets_->currentRow(); row >= 0)
        for (const auto& d : workbench_.datasets())
            if (QString::fromStdString(d->name) == datasets_->item(row, 0)->text()) source = d;
    if (source == records_->source()) return;
    records_->setDataset(source);
    records_->setSearch(search_->text());
    if (records_->rowCount() > 0) recordView_->setCurrentIndex(records_->index(0, 0));
    shown_->setText(tr("%1 shown").arg(records_->rowCount()));
}

}  // namespace amalgam
