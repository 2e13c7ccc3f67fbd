#pragma once

#include <cstdint>
#include <vector>

#include <QObject>
#include <QProcess>
#include <QStringList>

#include "core/store/workspace.h"

namespace amalgam {

/** Background amalgam-cli runs, one at a time, in the order queued. Each job's state, stage,
 *  log and error live in the workspace, so the list survives closing the window; a job that
 *  was running when the window closed goes back into the queue on reopening. Workers report
 *  progress as JSON lines (--progress json) and store their results in the workspace. */
class JobQueue : public QObject {
    Q_OBJECT

public:
    explicit JobQueue(QObject* parent = nullptr);
    ~JobQueue() override;

    /** The amalgam-cli next to this executable, unless setWorker() named another. */
    static QString defaultWorker();
    void setWorker(const QString& program) { worker_ = program; }
    const QString& worker() const { return worker_; }

    /** Takes over the job list of a workspace and starts its queue. */
    void attach(const QString& workspacePath);
    /** Stops the running worker (its job goes back into the queue) and lets go of the workspace. */
    void detach();

    /** Queues `amalgam-cli ARGUMENTS`. */
    std::int64_t enqueue(const QString& label, const QStringList& arguments);
    /** What a command that stores into the workspace and reports progress needs appended. */
    QStringList workspaceOptions() const { return {"--workspace", workspacePath_, "--progress", "json"}; }
    void cancel(std::int64_t id);

    const std::vector<Workspace::JobRow>& rows() const { return rows_; }
    /** Whether a job is queued or running. */
    bool busy() const;

signals:
    void rowChanged(int row);
    void rowsReset();
    /** A job ended: "finished", "failed" or "cancelled". */
    void jobEnded(std::int64_t id, const QString& state, const QStringList& arguments);

private:
    void startNext();
    void readOutput();
    void ended(int exitCode, QProcess::ExitStatus status);
    void store(std::size_t row);
    /** Puts back a job whose worker stopped with the workbench. */
    void requeue(std::size_t row);
    int runningRow() const;

    QString worker_;
    QString workspacePath_;
    std::unique_ptr<Workspace> workspace_;
    std::vector<Workspace::JobRow> rows_;
    QProcess* process_ = nullptr;
    std::int64_t runningId_ = 0;
    bool cancelling_ = false;
    QByteArray pending_;  ///< stdout not yet ended by a newline
};

}  // namespace amalgam
