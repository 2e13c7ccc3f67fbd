#include "json_lines_progress.h"

#include <cstdio>

#include "arguments.h"
#include "terminal_progress.h"

namespace amalgam::cli {

void write_worker_line(const WorkerMessage& message) {
    std::printf("%s\n", worker_line(message).c_str());
    std::fflush(stdout);
}

void JsonLinesProgress::plan(const std::vector<Stage>& stages) { write_worker_line(PlanMessage{stages}); }

void JsonLinesProgress::start(const std::string& stage, std::size_t total) {
    stage_ = stage;
    total_ = total;
    emit(0);
}

void JsonLinesProgress::advance(std::size_t done) {
    if (std::chrono::steady_clock::now() - last_ >= std::chrono::milliseconds(100)) emit(done);
}

void JsonLinesProgress::finish() { emit(total_); }

void JsonLinesProgress::emit(std::size_t done) {
    last_ = std::chrono::steady_clock::now();
    write_worker_line(ProgressMessage{stage_, done, total_});
}

std::unique_ptr<Progress> make_progress(const std::optional<std::string>& style) {
    if (!style || *style == "bar") return std::make_unique<TerminalProgress>();
    if (*style == "json") return std::make_unique<JsonLinesProgress>();
    throw UsageError("--progress is bar or json, not " + *style);
}

}  // namespace amalgam::cli
