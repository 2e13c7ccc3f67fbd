#pragma once

#include <QAbstractTableModel>

#include "ui/jobs/job_queue.h"

namespace amalgam {

/** The jobs of a JobQueue as a table: label, state, stage ("winogrande (2 of 3)" while it
 *  runs, where the worker announced its stages), progress (the whole job's share, 0..1 in Qt::UserRole, drawn
 *  as a bar by the view, with the time left while it runs) and the error of a failed job. */
class JobTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { LabelColumn, StateColumn, StageColumn, ProgressColumn, ErrorColumn, ColumnCount };
    explicit JobTableModel(JobQueue& queue, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString stageText(const JobQueue::Job& job);
    /** "63%", and while it runs "63% · 0:12 left". */
    static QString progressText(const JobQueue::Job& job, const QDateTime& now);

private:
    JobQueue& queue_;
};

}  // namespace amalgam
