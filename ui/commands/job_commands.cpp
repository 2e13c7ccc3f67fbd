#include "ui/commands/job_commands.h"

#include <QObject>

#include "ui/jobs/job_queue.h"

namespace amalgam {

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
