#pragma once

#include <optional>

#include <QWidget>

#include "core/contract/slurm_script.h"

class QComboBox;
class QLineEdit;
class QSpinBox;
class QWidget;

namespace amalgam {

/** Where a run trains: "this machine", or "Slurm" with the job's resources (partition, nodes,
 *  GPUs per node, time limit, account), which show only when Slurm is chosen. */
class SlurmFields : public QWidget {
    Q_OBJECT

public:
    explicit SlurmFields(QWidget* parent = nullptr);

    /** The resources asked for, or nullopt to train on this machine. */
    std::optional<SlurmRequest> request() const;
    /** Fills the fields with these resources (the workspace's last ones), leaving the choice of machine as it is. */
    void setRequest(const SlurmRequest& request);
    void setOnSlurm(bool onSlurm);

signals:
    /** The run's machine was chosen: this one, or Slurm's. */
    void runOnChanged(bool onSlurm);

private:
    QComboBox* runOn_;
    QWidget* resources_;
    QLineEdit* partition_;
    QSpinBox* nodes_;
    QSpinBox* gpusPerNode_;
    QLineEdit* time_;
    QLineEdit* account_;
    SlurmRequest shown_;  ///< what the fields do not show (memory, cores, extra options) is kept as it was
};

}  // namespace amalgam
