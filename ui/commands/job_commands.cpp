#include "ui/commands/job_commands.h"

#include <QObject>

#include "ui/jobs/job_queue.h"

namespace amalgam {

QueueJobCommand::QueueJobCommand(JobQueue& jobs, QString label, WorkerJob work, std::vector<std::int64_t> waitsFor)
    : jobs_(jobs), label_(std::move(label)), work_(std::move(work)), waitsFor_(std::move(waitsFor)) {
    setText(QObject::tr("Queue %1").arg(label_));
}

void QueueJobCommand::redo() { id_ = jobs_.enqueue(label_, work_, waitsFor_); }

void QueueJobCommand::undo() {
    const JobQueue::Job* job = jobs_.find(id_);
    if (!job || job->state != JobState::Queued || !jobs_.remove(id_)) setObsolete(true);
}

RemoveJobCommand::RemoveJobCommand(JobQueue& jobs, std::int64_t id, const QString& label) : jobs_(jobs), id_(id) {
    setText(QObject::tr("Remove %1").arg(label));
}

void RemoveJobCommand::redo() {
    removed_ = jobs_.remove(id_);
    if (!removed_) setObsolete(true);
}

void RemoveJobCommand::undo() {
    if (removed_) jobs_.restore(*removed_);
}

}  // namespace amalgam
