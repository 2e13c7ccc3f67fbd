#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <QUndoCommand>

#include "ui/document/experiments.h"

namespace amalgam {

/** Work one call queued: its jobs and the training runs they make. It is queued before the
 *  command is pushed, so the first redo does nothing. Undone while none of its jobs has
 *  started, the jobs and runs leave the workspace; redone, they come back as they were (ids
 *  and all, so that lineage and waits still hold). Once a job has started it can no longer
 *  be undone, and the command drops out of the history. */
class QueueWorkCommand : public QUndoCommand {
public:
    QueueWorkCommand(Experiments& experiments, const QString& text, std::vector<std::int64_t> jobs, std::vector<std::int64_t> runs);
    void undo() override;
    void redo() override;

private:
    Experiments& experiments_;
    std::vector<std::int64_t> jobs_, runs_;
    std::optional<QueuedWork> taken_;
};

}  // namespace amalgam
