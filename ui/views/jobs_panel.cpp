#include "ui/views/jobs_panel.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

#include "core/contract/precision.h"
#include "ui/document/experiments.h"
#include "ui/document/workbench.h"
#include "ui/jobs/device_probe.h"
#include "ui/jobs/job_queue.h"
#include "ui/models/job_table_model.h"
#include "ui/views/path_field.h"
#include "ui/views/name_combo.h"

namespace amalgam {
namespace {

/** Draws a job's progress (Qt::UserRole, 0..1) as a progress bar. */
class ProgressDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(2, 2, -2, -2);
        bar.minimum = 0;
        bar.maximum = 100;
        bar.progress = static_cast<int>(index.data(Qt::UserRole).toDouble() * 100);
        bar.text = index.data().toString();
        bar.textVisible = true;
        QApplication::style()->drawControl(QStyle::CE_ProgressBar, &bar, painter);
    }
};

}  // namespace

JobsPanel::JobsPanel(Workbench& workbench, QWidget* parent)
    : QWidget(parent), workbench_(workbench), devices_(new DeviceProbe(this)), model_(new JobTableModel(workbench.jobs(), this)),
      view_(new QTableView(this)),
      log_(new QPlainTextEdit(this)) {
    view_->setModel(model_);
    view_->setItemDelegateForColumn(JobTableModel::ProgressColumn, new ProgressDelegate(view_));
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    view_->horizontalHeader()->setSectionResizeMode(JobTableModel::LabelColumn, QHeaderView::Stretch);
    view_->horizontalHeader()->setSectionResizeMode(JobTableModel::ErrorColumn, QHeaderView::Stretch);
    view_->horizontalHeader()->setSectionResizeMode(JobTableModel::StageColumn, QHeaderView::ResizeToContents);
    view_->horizontalHeader()->resizeSection(JobTableModel::ProgressColumn, 180);
    view_->verticalHeader()->hide();
    log_->setReadOnly(true);
    log_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto* evaluate = new QPushButton(tr("New evaluation\u2026"), this);
    auto* cancel = new QPushButton(tr("Cancel job"), this);
    auto* remove = new QPushButton(tr("Remove job"), this);
    remove->setToolTip(tr("take a queued or ended job out of the list (Edit > Undo puts it back)"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(evaluate);
    buttons->addWidget(cancel);
    buttons->addWidget(remove);
    buttons->addStretch();
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(view_);
    split->addWidget(log_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(split, 1);

    connect(evaluate, &QPushButton::clicked, this, &JobsPanel::askForEvaluation);
    connect(cancel, &QPushButton::clicked, this, [this] {
        const auto rows = view_->selectionModel()->selectedRows();
        if (!rows.isEmpty()) workbench_.jobs().cancel(workbench_.jobs().rows().at(static_cast<std::size_t>(rows.front().row())).id);
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const auto rows = view_->selectionModel()->selectedRows();
        if (rows.isEmpty()) return;
        const QString error = workbench_.removeJob(workbench_.jobs().rows().at(static_cast<std::size_t>(rows.front().row())).id);
        if (!error.isEmpty()) log_->setPlainText(error);
    });
    connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &JobsPanel::showLog);
    connect(model_, &QAbstractItemModel::dataChanged, this, &JobsPanel::showLog);
    connect(model_, &QAbstractItemModel::modelReset, this, [this] {  // follow the newest job
        if (model_->rowCount() > 0) view_->selectRow(model_->rowCount() - 1);
    });
}

void JobsPanel::showLog() {
    const auto rows = view_->selectionModel()->selectedRows();
    const auto& jobs = workbench_.jobs().rows();
    const QString text = rows.isEmpty() || static_cast<std::size_t>(rows.front().row()) >= jobs.size()
                             ? QString()
                             : jobs[static_cast<std::size_t>(rows.front().row())].log;
    if (text != log_->toPlainText()) {
        log_->setPlainText(text);
        log_->moveCursor(QTextCursor::End);
    }
}

void JobsPanel::askForEvaluation() {
    QDialog dialog(this);
    dialog.setWindowTitle(tr("New evaluation"));
    auto* tiny = new QCheckBox(tr("The built-in tiny model (random weights)"), &dialog);
    auto* model = new QLineEdit(&dialog);
    auto* adapter = new QLineEdit(&dialog);
    auto* data = new QLineEdit(workbench_.experiments().evaluationData(), &dialog);
    auto* label = new QLineEdit(&dialog);
    auto* chat = new QCheckBox(tr("Each context as the user's turn of the model's chat template"), &dialog);
    chat->setToolTip(tr("The model's own template (tokenizer_config.json); a model without one is evaluated as it stands"));
    auto* limit = new QSpinBox(&dialog);
    limit->setRange(0, 1000000);
    limit->setSpecialValueText(tr("all items"));
    QPointer<QComboBox> device = new QComboBox(&dialog);
    auto* dtype = new QComboBox(&dialog);
    add_names(dtype, precision_names);
    dtype->setToolTip(tr("auto: bfloat16 on a GPU, float32 on the CPU"));
    // The worker says which devices there are; the list fills in when it has answered.
    auto offerDevices = [this, device] {
        if (!device) return;
        device->clear();
        device->addItems(devices_->devices());
        device->setEnabled(devices_->devices().size() > 1);
        device->setToolTip(!devices_->known() ? tr("looking for CUDA devices\u2026")
                           : devices_->devices().size() > 1 ? QString()
                                                            : tr("no CUDA device found: models run on the CPU"));
    };
    offerDevices();
    connect(devices_, &DeviceProbe::finished, &dialog, offerDevices);
    devices_->start(workbench_.jobs().worker());
    model->setPlaceholderText(tr("Hugging Face model folder"));
    adapter->setPlaceholderText(tr("optional LoRA adapter folder"));
    data->setPlaceholderText(tr("folder with winobias/, winogrande/, winogender/ (amalgam-cli data get fetches them)"));
    label->setPlaceholderText(tr("row name in Compare"));
    connect(tiny, &QCheckBox::toggled, model, &QWidget::setDisabled);
    auto* form = new QFormLayout(&dialog);
    form->addRow(tiny);
    form->addRow(tr("Model"), pathField(model, PathKind::Folder, &dialog));
    form->addRow(tr("Adapter"), pathField(adapter, PathKind::Folder, &dialog));
    form->addRow(tr("Evaluation data"), pathField(data, PathKind::Folder, &dialog));
    form->addRow(tr("Label"), label);
    form->addRow(chat);
    form->addRow(tr("Limit"), limit);
    form->addRow(tr("Device"), device);
    form->addRow(tr("Precision"), dtype);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted) return;
    EvaluationRequest request{tiny->isChecked() ? QString() : model->text().trimmed(), adapter->text().trimmed(), data->text().trimmed(),
                              label->text().trimmed(), limit->value()};
    request.device = Device::parse(device->currentText().toStdString());
    request.precision = chosen<Precision>(dtype);
    request.chatTemplate = chat->isChecked();
    workbench_.experiments().evaluate(request);
}

}  // namespace amalgam
