#include "ui/models/job_table_model.h"

#include <QColor>

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
    case StageColumn: return job.stage;
    case ProgressColumn: return QString("%1%").arg(static_cast<int>(job.progress * 100));
    case ErrorColumn: return job.error;
    default: return {};
    }
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
