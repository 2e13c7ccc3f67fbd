#include "ui/views/slurm_fields.h"

#include <algorithm>

#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace amalgam {

SlurmFields::SlurmFields(QWidget* parent)
    : QWidget(parent), runOn_(new QComboBox(this)), resources_(new QWidget(this)), partition_(new QLineEdit(resources_)),
      nodes_(new QSpinBox(resources_)), gpusPerNode_(new QSpinBox(resources_)), time_(new QLineEdit(resources_)), account_(new QLineEdit(resources_)) {
    runOn_->addItems({tr("this machine"), tr("Slurm")});
    runOn_->setToolTip(tr("Slurm: the run is submitted with sbatch (amalgam-cli submit) and followed until it ends; "
                          "it checkpoints before its time limit and requeues itself"));
    nodes_->setRange(1, 100000);
    gpusPerNode_->setRange(0, 1024);
    gpusPerNode_->setSpecialValueText(tr("none (CPU)"));
    gpusPerNode_->setToolTip(tr("one rank per GPU; the ranks train data-parallel"));
    partition_->setPlaceholderText(tr("the cluster's default"));
    time_->setPlaceholderText(tr("the partition's limit (e.g. 12:00:00)"));
    account_->setPlaceholderText(tr("your default account"));

    auto* form = new QFormLayout(resources_);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Partition"), partition_);
    form->addRow(tr("Nodes"), nodes_);
    form->addRow(tr("GPUs per node"), gpusPerNode_);
    form->addRow(tr("Time limit"), time_);
    form->addRow(tr("Account"), account_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(runOn_);
    layout->addWidget(resources_);
    resources_->setVisible(false);
    connect(runOn_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int index) {
        resources_->setVisible(index == 1);
        emit runOnChanged(index == 1);
    });
}

std::optional<SlurmRequest> SlurmFields::request() const {
    if (runOn_->currentIndex() != 1) return std::nullopt;
    SlurmRequest r = shown_;
    r.partition = partition_->text().trimmed().toStdString();
    r.nodes = nodes_->value();
    r.gpus_per_node = gpusPerNode_->value();
    r.tasks_per_node = std::max(1, r.gpus_per_node);
    r.time = time_->text().trimmed().toStdString();
    r.account = account_->text().trimmed().toStdString();
    return r;
}

void SlurmFields::setRequest(const SlurmRequest& request) {
    shown_ = request;
    partition_->setText(QString::fromStdString(request.partition));
    nodes_->setValue(request.nodes);
    gpusPerNode_->setValue(request.gpus_per_node);
    time_->setText(QString::fromStdString(request.time));
    account_->setText(QString::fromStdString(request.account));
}

void SlurmFields::setOnSlurm(bool onSlurm) { runOn_->setCurrentIndex(onSlurm ? 1 : 0); }

}  // namespace amalgam
