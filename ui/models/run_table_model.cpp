#include "ui/models/run_table_model.h"

#include <QColor>
#include <QDateTime>

#include "ui/document/experiments.h"
#include "ui/jobs/job_queue.h"

namespace amalgam {
namespace {

/** The number that says how a run is doing: the loss, PPO's mean score, or GRPO's and RLOO's mean reward. */
QString current_value(const RunRow& run, const std::vector<MetricsLine>& lines) {
    const QString key = run.stage == Stage::Ppo ? "objective/scores" : samples_completions(run.stage) ? "reward" : "loss";
    const QString name = run.stage == Stage::Ppo ? "score" : key;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it)
        if (it->contains(key)) return QString("%1 %2").arg(name).arg(it->value(key).toDouble(), 0, 'g', 4);
    return {};
}

QString duration_text(qint64 seconds) {
    if (seconds < 60) return QString("%1 s").arg(seconds);
    if (seconds < 3600) return QString("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    return QString("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
}

}  // namespace

RunTableModel::RunTableModel(Experiments& experiments, QObject* parent) : QAbstractTableModel(parent), experiments_(experiments) {
    connect(&experiments_, &Experiments::runsChanged, this, [this] {
        const int rows = static_cast<int>(experiments_.runs().size());
        if (rows != rows_) {
            beginResetModel();
            rows_ = rows;
            endResetModel();
        } else if (rows_ > 0) {
            emit dataChanged(index(0, 0), index(rows_ - 1, ColumnCount - 1));
        }
    });
    auto refreshRun = [this](std::int64_t run) {
        for (int row = 0; row < rows_; ++row)
            if (runAt(row) == run) emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    };
    connect(&experiments_, &Experiments::runProgressed, this, refreshRun);
    connect(&experiments_, &Experiments::metricsAppended, this, refreshRun);
    rows_ = static_cast<int>(experiments_.runs().size());
}

int RunTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_; }

int RunTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

std::int64_t RunTableModel::runAt(int row) const { return experiments_.runs().at(static_cast<std::size_t>(row)).id; }

QVariant RunTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_ || static_cast<std::size_t>(index.row()) >= experiments_.runs().size()) return {};
    const RunRow& run = experiments_.runs()[static_cast<std::size_t>(index.row())];
    const auto state = experiments_.state(run.id);
    if (role == Qt::ForegroundRole && index.column() == StateColumn && state == JobState::Failed) return QColor(214, 39, 40);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
    switch (index.column()) {
    case NameColumn: return QString::fromStdString(run.label);
    case StageColumn: return QString(to_string(run.stage)).toUpper();
    case StateColumn: {
        const QString own = state ? to_string(*state) : run.job_id ? tr("unknown") : tr("command line");  // amalgam-cli train --workspace
        const QString cluster = experiments_.clusterState(run.id);
        return cluster.isEmpty() ? own : QString("%1 (%2)").arg(own, cluster);
    }
    case StepColumn: {
        const auto [step, total] = experiments_.steps(run.id);
        return total > 0 ? QString("%1 / %2").arg(step).arg(total) : QString::number(step);
    }
    case NowColumn: return current_value(run, experiments_.metrics(run.id));
    case StartedColumn: return QDateTime::fromString(QString::fromStdString(run.created_at), Qt::ISODate).toLocalTime().toString("yyyy-MM-dd HH:mm");
    case DurationColumn: {
        const JobQueue::Job* job = experiments_.job(run.id);
        if (!job || !job->created.isValid()) return {};
        const QDateTime end = job->finished.isValid() ? job->finished : QDateTime::currentDateTimeUtc();
        return duration_text(job->created.secsTo(end));
    }
    case DeviceColumn: return QString::fromStdString(run.device.name() + " " + to_string(run.precision));
    default: return {};
    }
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal) return {};
    switch (section) {
    case NameColumn: return tr("Run");
    case StageColumn: return tr("Stage");
    case StateColumn: return tr("State");
    case StepColumn: return tr("Step");
    case NowColumn: return tr("Now");
    case StartedColumn: return tr("Started");
    case DurationColumn: return tr("Duration");
    case DeviceColumn: return tr("Device");
    default: return {};
    }
}

}  // namespace amalgam
