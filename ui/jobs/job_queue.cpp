#include "ui/jobs/job_queue.h"

#include <algorithm>

#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>
#include <QTimer>
#include <QUuid>

#include "core/contract/worker_messages.h"
#include "core/store/workspace.h"

namespace amalgam {
namespace {

constexpr double kLeaseSeconds = 15;
constexpr int kPollMs = 3000;


JobRow to_row(const JobQueue::Job& job) {
    JobRow row;
    row.id = job.id;
    row.label = job.label.toStdString();
    row.kind = kind_of(job.work);
    row.options = job_json(job.work).dump();
    row.state = job.state;
    row.progress = job.progress;
    row.stage = job.stage.toStdString();
    row.log = job.log.toStdString();
    row.error = job.error.toStdString();
    return row;
}

/** A stored job, or nothing for one this build does not run (another build's kind, options
 *  that do not read). */
std::optional<JobQueue::Job> from_row(const JobRow& row) {
    if (!row.kind) return std::nullopt;
    JobQueue::Job job;
    try {
        job.work = worker_job(*row.kind, nlohmann::json::parse(row.options));
    } catch (const std::exception&) {
        return std::nullopt;
    }
    job.id = row.id;
    job.label = QString::fromStdString(row.label);
    job.state = row.state;
    job.progress = row.progress;
    job.stage = QString::fromStdString(row.stage);
    job.log = QString::fromStdString(row.log);
    job.error = QString::fromStdString(row.error);
    job.created = QDateTime::fromString(QString::fromStdString(row.created_at), Qt::ISODate);
    job.finished = QDateTime::fromString(QString::fromStdString(row.finished_at), Qt::ISODate);
    job.waitsFor = row.waits_for;
    return job;
}

}  // namespace

JobQueue::JobQueue(QObject* parent)
    : QObject(parent), worker_(defaultWorker()),
      holder_(QString("%1 %2").arg(QCoreApplication::applicationPid()).arg(QUuid::createUuid().toString(QUuid::WithoutBraces))),
      poll_(new QTimer(this)) {
    poll_->setInterval(kPollMs);
    connect(poll_, &QTimer::timeout, this, &JobQueue::poll);
}

JobQueue::~JobQueue() { detach(); }

QString JobQueue::defaultWorker() { return QDir(QCoreApplication::applicationDirPath()).filePath("amalgam-cli"); }

void JobQueue::attach(Workspace& workspace, const QString& path) {
    detach();
    workspacePath_ = path;
    workspace_ = &workspace;
    seenVersion_ = -1;
    reload();
    poll_->start();
    poll();
}

void JobQueue::detach() {
    poll_->stop();
    // Killed, not asked to stop: a worker following a cluster job leaves the job running, and
    // follows it again when the queue starts it next time.
    for (const auto& w : workers_) {
        const int row = rowOf(w->id);
        w->process->disconnect(this);
        w->process->kill();
        w->process->waitForFinished(3000);
        delete w->process;
        if (row >= 0) {
            rows_[row].log += tr("(interrupted when the workbench closed; queued again)\n");
            setState(static_cast<std::size_t>(row), JobState::Queued);
        }
    }
    workers_.clear();
    if (workspace_ && holding_) workspace_->jobs().release_lease(holder_.toStdString());
    holding_ = false;
    workspace_ = nullptr;
    rows_.clear();
    emit rowsReset();
}

void JobQueue::poll() {
    if (!workspace_) return;
    const bool had = holding_;
    holding_ = workspace_->jobs().take_lease(holder_.toStdString(), kLeaseSeconds);
    const auto version = workspace_->data_version();
    const bool othersWrote = version != seenVersion_;
    if (othersWrote) {  // read the jobs again
        seenVersion_ = version;
        reload();
    }
    if (holding_ && !had) {
        // The lease passed to us: whatever the workspace calls running, no live workbench runs.
        for (std::size_t i = 0; i < rows_.size(); ++i)
            if (rows_[i].state == JobState::Running && !runsHere(rows_[i].id)) {
                rows_[i].log += tr("(its workbench stopped; queued again)\n");
                setState(i, JobState::Queued);
            }
    }
    startNext();
    emit polled(othersWrote);
}

void JobQueue::reload() {
    std::vector<Job> rows;
    for (const auto& stored : workspace_->jobs().all()) {
        Worker* running = worker(stored.id);
        if (running && stored.state == JobState::Cancelled && !running->cancelling) {
            running->cancelling = true;  // cancelled in another workbench
            running->process->terminate();
        }
        if (auto job = from_row(stored)) rows.push_back(running && rowOf(stored.id) >= 0 ? rows_[rowOf(stored.id)] : *job);
    }
    const bool same = rows.size() == rows_.size() && std::equal(rows.begin(), rows.end(), rows_.begin(), [](const Job& a, const Job& b) {
                          return a.id == b.id && a.state == b.state && a.log == b.log && a.error == b.error;
                      });
    if (same) return;
    rows_ = std::move(rows);
    emit rowsReset();
}

QStringList JobQueue::arguments(const WorkerJob& job, const QString& workspace) {
    QStringList out;
    for (const std::string& word : worker_arguments(job, workspace.toStdString())) out << QString::fromStdString(word);
    return out;
}

std::int64_t JobQueue::enqueue(const QString& label, const WorkerJob& work, const std::vector<std::int64_t>& waitsFor) {
    Job job;
    job.label = label;
    job.work = work;
    job.created = QDateTime::currentDateTimeUtc();
    job.waitsFor = waitsFor;
    job.id = workspace_->jobs().add(label.toStdString(), kind_of(work), job_json(work).dump(), waitsFor);
    rows_.push_back(job);
    emit rowsReset();
    startNext();
    return job.id;
}

const JobQueue::Job* JobQueue::find(std::int64_t id) const {
    for (const Job& job : rows_)
        if (job.id == id) return &job;
    return nullptr;
}

void JobQueue::cancel(std::int64_t id) {
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        if (rows_[i].id != id || ended(rows_[i].state)) continue;
        if (Worker* running = worker(id)) {
            running->cancelling = true;
            running->process->terminate();
            return;
        }
        setState(i, JobState::Cancelled);
        emit jobEnded(id, JobState::Cancelled, rows_[i].work);
    }
}

std::optional<JobRow> JobQueue::remove(std::int64_t id) {
    if (!workspace_ || runsHere(id)) return std::nullopt;
    for (const auto& stored : workspace_->jobs().all())
        if (stored.id == id) {
            workspace_->jobs().remove(id);
            reload();
            return stored;
        }
    return std::nullopt;
}

void JobQueue::restore(const JobRow& job) {
    workspace_->jobs().restore(job);
    reload();
    startNext();
}

void JobQueue::requeue(std::int64_t id) {
    std::vector<std::int64_t> again = {id};
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        Job& job = rows_[i];
        const bool asked = job.id == id && (job.state == JobState::Cancelled || job.state == JobState::Failed);
        // Cancelled for a prerequisite that is queued again now (a user's cancel leaves no error).
        const bool follows = job.state == JobState::Cancelled && !job.error.isEmpty() &&
                             std::any_of(job.waitsFor.begin(), job.waitsFor.end(),
                                         [&](std::int64_t w) { return std::find(again.begin(), again.end(), w) != again.end(); });
        if (!asked && !follows) continue;
        if (follows) again.push_back(job.id);
        job.error.clear();
        setState(i, JobState::Queued);
    }
    startNext();
}

double JobQueue::secondsLeft(const Job& job, const QDateTime& now) {
    const double elapsed = static_cast<double>(job.started.msecsTo(now)) / 1000.0;
    if (job.state != JobState::Running || !job.started.isValid() || job.progress < 0.02 || elapsed < 1.0) return -1;
    return elapsed * (1.0 - job.progress) / job.progress;
}

bool JobQueue::busy() const {
    for (const auto& r : rows_)
        if (!ended(r.state)) return true;
    return false;
}

int JobQueue::rowOf(std::int64_t id) const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].id == id) return static_cast<int>(i);
    return -1;
}

JobQueue::Worker* JobQueue::worker(std::int64_t id) const {
    for (const auto& w : workers_)
        if (w->id == id) return w.get();
    return nullptr;
}

bool JobQueue::onCluster(const Job& job) {
    const auto* train = std::get_if<TrainJob>(&job.work);
    return train && train->slurm;
}

void JobQueue::setState(std::size_t row, JobState state) {
    rows_[row].state = state;
    rows_[row].finished = ended(state) ? QDateTime::currentDateTimeUtc() : QDateTime();
    store(rows_[row]);
    emit rowChanged(static_cast<int>(row));
}

bool JobQueue::ready(std::size_t row) {
    for (std::int64_t id : rows_[row].waitsFor) {
        const Job* before = find(id);
        if (before && before->state == JobState::Finished) continue;
        if (before && !ended(before->state)) return false;
        rows_[row].error = tr("not started: %1 did not finish").arg(before ? before->label : tr("job %1").arg(id));
        setState(row, JobState::Cancelled);
        emit jobEnded(rows_[row].id, JobState::Cancelled, rows_[row].work);
        return false;
    }
    return true;
}

void JobQueue::startNext() {
    if (!workspace_ || !holding_) return;
    // A cancelled job's listeners may start one: the list is walked again from the start.
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        const bool local_busy = std::any_of(workers_.begin(), workers_.end(), [&](const auto& w) {
            const int row = rowOf(w->id);
            return row >= 0 && !onCluster(rows_[static_cast<std::size_t>(row)]);
        });
        if (rows_[i].state != JobState::Queued || (local_busy && !onCluster(rows_[i])) || !ready(i)) continue;
        start(i);
    }
}

void JobQueue::start(std::size_t row) {
    Job& job = rows_[row];
    job.progress = 0;
    job.plan.clear();
    job.started = QDateTime::currentDateTimeUtc();
    job.error.clear();
    const QStringList arguments = JobQueue::arguments(job.work, workspacePath_);
    job.log += "$ amalgam-cli " + arguments.join(' ') + "\n";
    setState(row, JobState::Running);
    auto owned = std::make_unique<Worker>();
    Worker& w = *owned;
    w.id = job.id;
    w.process = new QProcess(this);
    workers_.push_back(std::move(owned));
    connect(w.process, &QProcess::readyReadStandardOutput, this, [this, &w] { readOutput(w); });
    connect(w.process, &QProcess::readyReadStandardError, this, [this, &w] {
        const int r = rowOf(w.id);
        if (r < 0) return;
        rows_[r].log += QString::fromUtf8(w.process->readAllStandardError());
        emit rowChanged(r);
    });
    connect(w.process, &QProcess::finished, this, [this, &w](int code, QProcess::ExitStatus status) { exited(w, code, status); });
    connect(w.process, &QProcess::errorOccurred, this, [this, &w](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) exited(w, -1, QProcess::CrashExit);
    });
    emit jobStarted(w.id);
    w.process->start(worker_, arguments);
}

void JobQueue::readOutput(Worker& w) {
    const int row = rowOf(w.id);
    w.pending += w.process->readAllStandardOutput();
    for (int end; (end = w.pending.indexOf('\n')) >= 0;) {
        const QByteArray line = w.pending.left(end);
        w.pending.remove(0, end + 1);
        if (row < 0) continue;
        Job& job = rows_[row];
        const std::optional<WorkerMessage> message = read_worker_line(std::string_view(line.constData(), static_cast<std::size_t>(line.size())));
        if (!message) {
            job.log += QString::fromUtf8(line) + "\n";
        } else if (const auto* progress = std::get_if<ProgressMessage>(&*message)) {
            job.stage = QString::fromStdString(progress->stage);
            job.total = static_cast<std::int64_t>(progress->total);
            job.progress = overall_share(job.plan, progress->stage,
                                         progress->total > 0 ? static_cast<double>(progress->done) / static_cast<double>(progress->total) : 1.0);
        } else if (const auto* plan = std::get_if<PlanMessage>(&*message)) {
            job.plan = plan->stages;
        } else if (const auto* metrics = std::get_if<MetricsMessage>(&*message)) {
            emit metricsReported(w.id, QJsonDocument::fromJson(QByteArray::fromStdString(metrics->values.dump())).object());
        } else if (const auto* cluster = std::get_if<ClusterJobMessage>(&*message)) {
            job.log += tr("Slurm job %1: %2\n").arg(QString::fromStdString(cluster->job), QString::fromStdString(cluster->state));
            emit clusterJobReported(w.id, QString::fromStdString(cluster->job), QString::fromStdString(cluster->state));
        }
    }
    if (row >= 0) emit rowChanged(row);
}

void JobQueue::exited(Worker& w, int exitCode, QProcess::ExitStatus status) {
    const auto owned = std::find_if(workers_.begin(), workers_.end(), [&](const auto& p) { return p.get() == &w; });
    if (owned == workers_.end()) return;  // already ended (a failed start reports twice)
    const std::unique_ptr<Worker> ended = std::move(*owned);
    workers_.erase(owned);
    const int row = rowOf(ended->id);
    QProcess* process = ended->process;
    if (row >= 0) {
        Job& job = rows_[row];
        job.log += QString::fromUtf8(process->readAllStandardError());
        JobState state = JobState::Failed;
        if (ended->cancelling) {
            state = JobState::Cancelled;
        } else if (status == QProcess::NormalExit && exitCode == 0) {
            state = JobState::Finished;
            job.progress = 1;
        } else {
            // The worker's last line on stderr says why; a worker that did not start says nothing.
            const QStringList lines = job.log.split('\n', Qt::SkipEmptyParts);
            job.error = process->error() == QProcess::FailedToStart ? tr("cannot start %1: %2").arg(worker_, process->errorString())
                        : status == QProcess::CrashExit             ? tr("the worker crashed")
                        : lines.isEmpty()                           ? tr("exit status %1").arg(exitCode)
                                                                    : lines.last();
        }
        setState(static_cast<std::size_t>(row), state);
        emit jobEnded(job.id, state, job.work);
    }
    process->disconnect(this);
    process->deleteLater();
    startNext();
}

void JobQueue::store(const Job& job) { workspace_->jobs().update(to_row(job)); }

}  // namespace amalgam
