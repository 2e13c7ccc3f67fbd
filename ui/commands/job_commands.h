#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <QUndoCommand>

#include "core/store/workspace.h"
#include "ui/jobs/worker_job.h"

namespace amalgam {

class JobQueue;

/** Queues a job. Undone while it still waits, it leaves the list; once it has started it can
 *  no longer be undone, and the command drops out of the history. */
class QueueJobCommand : public QUndoCommand {
public:
    QueueJobCommand(JobQueue& jobs, QString label, WorkerJob work, std::vector<std::int64_t> waitsFor);
    void undo() override;
    void redo() override;
    /** The job's id since the last redo. */
    std::int64_t job() const { return id_; }

private:
    JobQueue& jobs_;
    QString label_;
    WorkerJob work_;
    std::vector<std::int64_t> waitsFor_;
    std::int64_t id_ = 0;
};

/** Takes a job that is not running out of the list; undone, it comes back as it was. */
class RemoveJobCommand : public QUndoCommand {
public:
    RemoveJobCommand(JobQueue& jobs, std::int64_t id, const QString& label);
    void undo() override;
    void redo() override;

private:
    JobQueue& jobs_;
    std::int64_t id_;
    std::optional<Workspace::JobRow> removed_;
};

}  // namespace amalgam
