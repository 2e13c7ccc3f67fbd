#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/contract/worker_messages.h"
#include "core/util/progress.h"

namespace amalgam::cli {

/** One message for the workbench on stdout, flushed at once. */
void write_worker_line(const WorkerMessage& message);

/** Progress for a watching process: a ProgressMessage line at most ten times a second within
 *  a stage, always at its start and finish; first, where the work announces them, its stages
 *  as a PlanMessage. The workbench reads these from its workers. */
class JsonLinesProgress final : public Progress {
public:
    void plan(const std::vector<Stage>& stages) override;
    void start(const std::string& stage, std::size_t total) override;
    void advance(std::size_t done) override;
    void finish() override;

private:
    void emit(std::size_t done);
    std::string stage_;
    std::size_t total_ = 0;
    std::chrono::steady_clock::time_point last_;
};

/** The reporter a --progress option names: "bar" (the default: a bar on a terminal) or
 *  "json" (JSON lines); anything else is a UsageError. */
std::unique_ptr<Progress> make_progress(const std::optional<std::string>& style);

}  // namespace amalgam::cli
