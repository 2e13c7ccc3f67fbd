#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <QUndoCommand>

#include "core/store/job_store.h"

namespace amalgam {

class JobQueue;

/** Takes a job that is not running out of the list; undone, it comes back as it was. */
class RemoveJobCommand : public QUndoCommand {
public:
    RemoveJobCommand(JobQueue& jobs, std::int64_t id, const QString& label);
    void undo() override;
    void redo() override;

private:
    JobQueue& jobs_;
    std::int64_t id_;
    std::optional<JobRow> removed_;
};

}  // namespace amalgam
