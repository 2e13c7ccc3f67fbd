#include "ui/models/job_table_model.h"

#include <cmath>

#include <QColor>
#include <QDateTime>

#include "ui/jobs/job_queue.h"

namespace amalgam {

JobTableModel::JobTableModel(JobQueue& queue, QObject* parent) : QAbstractTableModel(parent), queue_(queue) {
    connect(&queue_, &JobQueue::rowsReset, this, [this] {
        beginResetModel();
        endResetModel();
    });
    connect(&queue_, &JobQueue::rowChanged, this, [this](int row) {
        if (row >= 0 && row < rowCount()) emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    });
}

int JobTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(queue_.rows().size()); }

int JobTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant JobTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const auto& job = queue_.rows()[static_cast<std::size_t>(index.row())];
    if (role == Qt::ForegroundRole && index.column() == StateColumn && job.state == JobState::Failed) return QColor(214, 39, 40);
    if (role == Qt::UserRole && index.column() == ProgressColumn) return job.progress;
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
    switch (index.column()) {
    case LabelColumn: return job.label;
    case StateColumn: return to_string(job.state);
    case StageColumn: return stageText(job);
    case ProgressColumn: return progressText(job, QDateTime::currentDateTimeUtc());
    case ErrorColumn: return job.error;
    default: return {};
    }
}

QString JobTableModel::stageText(const JobQueue::Job& job) {
    if (job.state != JobState::Running) return job.stage;
    for (std::size_t i = 0; i < job.plan.size(); ++i)
        if (job.plan[i].name == job.stage.toStdString() && job.plan.size() > 1) return tr("%1 (%2 of %3)").arg(job.stage).arg(i + 1).arg(job.plan.size());
    return job.stage;
}

QString JobTableModel::progressText(const JobQueue::Job& job, const QDateTime& now) {
    const QString share = QString("%1%").arg(static_cast<int>(job.progress * 100));
    const double left = JobQueue::secondsLeft(job, now);
    if (left < 0) return share;
    const auto seconds = static_cast<long long>(std::ceil(left));
    const QString time = seconds >= 3600 ? QString("%1:%2:%3").arg(seconds / 3600).arg(seconds / 60 % 60, 2, 10, QChar('0')).arg(seconds % 60, 2, 10, QChar('0'))
                                         : QString("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QChar('0'));
    return tr("%1 \u00b7 %2 left").arg(share, time);
}

QVariant JobTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal) return {};
    switch (section) {
    case LabelColumn: return tr("Job");
    case StateColumn: return tr("State");
    case StageColumn: return tr("Stage");
    case ProgressColumn: return tr("Progress");
    case ErrorColumn: return tr("Error");
    default: return {};
    }
}

}  // namespace amalgam
