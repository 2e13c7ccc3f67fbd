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

/** Background amalgam-cli runs, one at a time on this machine, in the order queued, each after
 *  the jobs it waits for; a run on Slurm (whose worker submits it and follows the cluster job)
 *  starts beside them, as soon as it may. Each job's state, stage,
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
    bool runsHere(std::int64_t id) const { return worker(id) != nullptr; }

signals:
    void rowChanged(int row);
    void rowsReset();
    void jobStarted(std::int64_t id);
    void jobEnded(std::int64_t id, JobState state, const WorkerJob& job);
    /** A training worker logged a step: {"step": ..., "loss": ..., ...}. */
    void metricsReported(std::int64_t id, const QJsonObject& line);
    /** The cluster job a worker follows changed state (Slurm's word, lower case). */
    void clusterJobReported(std::int64_t id, const QString& job, const QString& state);
    /** A poll ended; `othersWrote`: another process or connection changed the workspace since the last. */
    void polled(bool othersWrote);

private:
    /** A running amalgam-cli and the job it runs. */
    struct Worker {
        std::int64_t id = 0;
        QProcess* process = nullptr;
        bool cancelling = false;
        QByteArray pending;  ///< stdout not yet ended by a newline
    };

    void startNext();
    void start(std::size_t row);
    void readOutput(Worker& worker);
    void exited(Worker& worker, int exitCode, QProcess::ExitStatus status);
    void store(const Job& job);
    /** The jobs as the workspace has them, the running one as this process knows it; stops the
     *  running worker when another workbench cancelled its job. */
    void reload();
    void setState(std::size_t row, JobState state);
    /** Whether a queued job may start now; one whose prerequisite failed is cancelled, saying so. */
    bool ready(std::size_t row);
    int rowOf(std::int64_t id) const;
    Worker* worker(std::int64_t id) const;
    /** Whether the job runs on a cluster, so that it does not hold this machine's turn. */
    static bool onCluster(const Job& job);

    QString worker_;
    QString workspacePath_;
    QString holder_;  ///< this workbench's name in the queue lease
    Workspace* workspace_ = nullptr;
    std::vector<Job> rows_;
    std::vector<std::unique_ptr<Worker>> workers_;
    QTimer* poll_;
    bool holding_ = false;
    std::int64_t seenVersion_ = -1;  ///< the workspace's data_version at the last reload
};

}  // namespace amalgam
