#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QProcess>

#include "core/store/job_store.h"
#include "core/util/progress.h"
#include "core/contract/worker_job.h"

class QTimer;

namespace amalgam {

class Workspace;

/** Background amalgam-cli runs, one at a time, in the order queued, each after the jobs it
 *  waits for. Each job's state, stage,
 *  log and error live in the workspace, so the list survives closing the window. Of the
 *  workbenches open on one workspace, only the holder of its queue lease starts jobs; a job
 *  left running by a holder that is gone goes back into the queue when the lease passes on.
 *  Workers report progress and training metrics as JSON lines on stdout. */
class JobQueue : public QObject {
    Q_OBJECT

public:
    struct Job {
        std::int64_t id = 0;
        QString label;
        WorkerJob work;
        JobState state = JobState::Queued;
        double progress = 0;  ///< 0..1 of the whole job: of its stages by their work, where the worker announced them
        std::int64_t total = 0;  ///< the current stage's units (a training run's steps), while it runs
        QString stage;
        std::vector<Progress::Stage> plan;  ///< the running worker's stages, as it announced them
        QDateTime started;  ///< when the running worker started
        QString log;
        QString error;
        QDateTime created;
        QDateTime finished;  ///< invalid until it ends
        std::vector<std::int64_t> waitsFor;  ///< jobs that must finish first; it is cancelled if one does not
    };

    /** Seconds a running job still needs at the pace it has kept, or -1 while that is unknown. */
    static double secondsLeft(const Job& job, const QDateTime& now);

    explicit JobQueue(QObject* parent = nullptr);
    ~JobQueue() override;

    /** The amalgam-cli next to this executable, unless setWorker() named another. */
    static QString defaultWorker();
    void setWorker(const QString& program) { worker_ = program; }
    const QString& worker() const { return worker_; }

    /** Takes over the job list of the open workspace (the workbench's, at `path`) and, holding
     *  its lease, starts the queue. */
    void attach(Workspace& workspace, const QString& path);
    /** Stops the running worker (its job goes back into the queue) and lets go of the workspace. */
    void detach();

    /** Queues a job that starts once the jobs it waits for have finished. */
    std::int64_t enqueue(const QString& label, const WorkerJob& job, const std::vector<std::int64_t>& waitsFor = {});
    /** The worker's command line for `job` on the workspace at `workspace`. */
    static QStringList arguments(const WorkerJob& job, const QString& workspace);
    /** Stops a running job, or takes a queued one out of the queue. */
    void cancel(std::int64_t id);
    /** Takes a job that is not running out of the list; returns it as stored, for restore(). */
    std::optional<JobRow> remove(std::int64_t id);
    /** Puts a removed job back as it was. */
    void restore(const JobRow& job);
    /** Queues a cancelled or failed job again, and the jobs that were cancelled because it did
     *  not finish; a training job resumes from its last checkpoint. */
    void requeue(std::int64_t id);

    const std::vector<Job>& rows() const { return rows_; }
    const Job* find(std::int64_t id) const;
    /** Whether a job is queued or running. */
    bool busy() const;
    /** Whether this workbench runs the workspace's jobs (another may hold the lease). */
    bool holdsQueue() const { return holding_; }
    /** Checks the lease and the jobs other workbenches queued; runs every few seconds. */
    void poll();
    /** Whether this process runs the job now, and so streams its output. */
    bool runsHere(std::int64_t id) const { return process_ && id == runningId_; }

signals:
    void rowChanged(int row);
    void rowsReset();
    void jobStarted(std::int64_t id);
    void jobEnded(std::int64_t id, JobState state, const WorkerJob& job);
    /** A training worker logged a step: {"step": ..., "loss": ..., ...}. */
    void metricsReported(std::int64_t id, const QJsonObject& line);
    /** A poll ended; `othersWrote`: another process or connection changed the workspace since the last. */
    void polled(bool othersWrote);

private:
    void startNext();
    void readOutput();
    void exited(int exitCode, QProcess::ExitStatus status);
    void store(const Job& job);
    /** The jobs as the workspace has them, the running one as this process knows it; stops the
     *  running worker when another workbench cancelled its job. */
    void reload();
    void setState(std::size_t row, JobState state);
    /** Whether a queued job may start now; one whose prerequisite failed is cancelled, saying so. */
    bool ready(std::size_t row);
    int runningRow() const;

    QString worker_;
    QString workspacePath_;
    QString holder_;  ///< this workbench's name in the queue lease
    Workspace* workspace_ = nullptr;
    std::vector<Job> rows_;
    QProcess* process_ = nullptr;
    QTimer* poll_;
    std::int64_t runningId_ = 0;
    bool holding_ = false;
    bool cancelling_ = false;
    std::int64_t seenVersion_ = -1;  ///< the workspace's data_version at the last reload
    QByteArray pending_;  ///< stdout not yet ended by a newline
};

}  // namespace amalgam
