#include "ui/commands/queue_work_command.h"

namespace amalgam {

QueueWorkCommand::QueueWorkCommand(Experiments& experiments, const QString& text, std::vector<std::int64_t> jobs, std::vector<std::int64_t> runs)
    : experiments_(experiments), jobs_(std::move(jobs)), runs_(std::move(runs)) {
    setText(text);
}

void QueueWorkCommand::undo() {
    taken_ = experiments_.takeQueued(jobs_, runs_);
    if (!taken_) setObsolete(true);
}

void QueueWorkCommand::redo() {
    if (taken_) experiments_.putBack(*taken_);
    taken_.reset();
}

}  // namespace amalgam
