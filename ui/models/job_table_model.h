#pragma once

#include <QAbstractTableModel>

namespace amalgam {

class JobQueue;

/** The jobs of a JobQueue as a table: label, state, stage, progress (0..1 in
 *  Qt::UserRole, drawn as a bar by the view) and the error of a failed job. */
class JobTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { LabelColumn, StateColumn, StageColumn, ProgressColumn, ErrorColumn, ColumnCount };
    explicit JobTableModel(JobQueue& queue, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    JobQueue& queue_;
};

}  // namespace amalgam
