#pragma once

#include <cstdint>

#include <QAbstractTableModel>

namespace amalgam {

class Experiments;

/** The workspace's training runs, one row each: its name, stage, state, step of all, the loss
 *  (or for PPO the mean score) now, when it was queued, how long it has taken, its device. */
class RunTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { NameColumn, StageColumn, StateColumn, StepColumn, NowColumn, StartedColumn, DurationColumn, DeviceColumn, ColumnCount };

    explicit RunTableModel(Experiments& experiments, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    std::int64_t runAt(int row) const;

private:
    Experiments& experiments_;
    int rows_ = 0;
};

}  // namespace amalgam
