#include "ui/views/add_dataset_dialog.h"


#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "core/data/importer.h"
#include "ui/jobs/background_task.h"
#include "ui/models/record_table_model.h"
#include "ui/views/record_html.h"
#include "ui/views/table_fit.h"
#include "ui/views/name_combo.h"

namespace amalgam {
namespace {

// The canonical fields a generic file may name differently (ImportOptions::fields).
const char* const kFields[] = {"prompt", "chosen", "rejected", "responses", "response", "instruction", "input", "output", "id"};

}  // namespace

AddDatasetDialog::AddDatasetDialog(const QString& file, QWidget* parent)
    : QDialog(parent), file_(file), name_(new QLineEdit(QFileInfo(file).completeBaseName(), this)),
      format_(new QComboBox(this)), role_(new QComboBox(this)), label_(new QComboBox(this)), direction_(new QComboBox(this)),
      fields_(new QTableWidget(static_cast<int>(std::size(kFields)), 2, this)), status_(new QLabel(this)),
      table_(new QTableView(this)), details_(new QTextBrowser(this)), buttons_(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)),
      preview_(new RecordTableModel(this)), task_(new BackgroundTask(this)) {
    setWindowTitle(tr("Add dataset \u2014 %1").arg(QFileInfo(file).fileName()));
    resize(960, 640);
    format_->addItem("auto");
    for (const auto& importer : importers()) format_->addItem(QString::fromStdString(importer->format()));
    add_names(role_, dataset_role_names);
    label_->setEditable(true);
    add_names(direction_, direction_names);
    fields_->setHorizontalHeaderLabels({tr("Field"), tr("Name in the file")});
    fields_->horizontalHeader()->setStretchLastSection(true);
    fields_->verticalHeader()->hide();
    fitHeightToRows(fields_, 6);
    for (int r = 0; r < fields_->rowCount(); ++r) {
        auto* canonical = new QTableWidgetItem(kFields[r]);
        canonical->setFlags(Qt::ItemIsEnabled);
        fields_->setItem(r, 0, canonical);
        fields_->setItem(r, 1, new QTableWidgetItem(kFields[r]));
    }
    table_->setModel(preview_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setWordWrap(false);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        details_->setHtml(current.isValid() ? promptHtml(preview_->source()->dataset.prompts[preview_->promptAt(current.row())]) : QString());
    });
    table_->horizontalHeader()->setSectionResizeMode(RecordTableModel::PromptColumn, QHeaderView::Stretch);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* form = new QFormLayout;
    form->addRow(tr("File"), new QLabel(file, this));
    form->addRow(tr("Name"), name_);
    form->addRow(tr("Format"), format_);
    form->addRow(tr("Role"), role_);
    form->addRow(tr("Label"), label_);
    form->addRow(tr("Direction"), direction_);
    auto* top = new QHBoxLayout;
    top->addLayout(form, 1);
    top->addWidget(fields_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(status_);
    auto* previewSplit = new QSplitter(Qt::Horizontal, this);
    previewSplit->addWidget(table_);
    previewSplit->addWidget(details_);
    previewSplit->setStretchFactor(0, 3);
    previewSplit->setStretchFactor(1, 2);
    layout->addWidget(previewSplit, 1);
    layout->addWidget(buttons_);
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(format_, &QComboBox::currentTextChanged, this, &AddDatasetDialog::refresh);
    connect(fields_, &QTableWidget::itemChanged, this, &AddDatasetDialog::refresh);
    connect(task_, &BackgroundTask::finished, this, [this](const QString& error) {
        if (refreshPending_) {  // this preview is out of date: read again with the new settings
            refreshPending_ = false;
            refresh();
            return;
        }
        error_ = error;
        if (!error.isEmpty()) {
            preview_->setDataset(nullptr);
            details_->clear();
            status_->setText(tr("<b>Cannot read this file:</b> %1").arg(error.toHtmlEscaped()));
        }
    });
    refresh();
}

AddDatasetDialog::~AddDatasetDialog() = default;

void AddDatasetDialog::setFormat(const QString& format) { format_->setCurrentText(format); }

void AddDatasetDialog::setField(const QString& canonical, const QString& field) {
    for (int r = 0; r < fields_->rowCount(); ++r)
        if (fields_->item(r, 0)->text() == canonical) fields_->item(r, 1)->setText(field);
}

DatasetSpec AddDatasetDialog::spec() const {
    DatasetSpec spec;
    spec.name = name_->text().trimmed().toStdString();
    spec.path = file_.toStdString();
    spec.format = format_->currentText().toStdString();
    spec.role = chosen<DatasetRole>(role_);
    if (!label_->currentText().isEmpty()) {
        spec.label = label_->currentText().toStdString();
        spec.direction = chosen<Direction>(direction_);
    }
    for (int r = 0; r < fields_->rowCount(); ++r)
        if (fields_->item(r, 1)->text() != fields_->item(r, 0)->text())
            spec.options.fields[fields_->item(r, 0)->text().toStdString()] = fields_->item(r, 1)->text().toStdString();
    return spec;
}

void AddDatasetDialog::refresh() {
    if (task_->running()) {
        refreshPending_ = true;
        return;
    }
    const DatasetSpec s = spec();
    auto read = std::make_shared<CurationSource>();
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(false);
    status_->setText(tr("Reading\u2026"));
    task_->start(tr("Preview"), [s, read](Progress&) {
        read->name = s.name;
        read->dataset = import_dataset(s.path, s.format, s.options);
    }, [this, read] {
        if (refreshPending_) return;
        const QString current = label_->currentText();
        label_->clear();
        label_->addItem(QString());
        for (const auto& l : label_names(read->dataset.prompts)) label_->addItem(QString::fromStdString(l));
        label_->setCurrentText(current);
        status_->setText(tr("%1: %2 records, %3 prompts").arg(QString::fromStdString(read->dataset.format))
                             .arg(read->dataset.report.lines).arg(read->dataset.prompts.size()));
        preview_->setDataset(read);
        if (preview_->rowCount() > 0) table_->setCurrentIndex(preview_->index(0, 0));
        buttons_->button(QDialogButtonBox::Ok)->setEnabled(!name_->text().trimmed().isEmpty());
    });
}

}  // namespace amalgam
