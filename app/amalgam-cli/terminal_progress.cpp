#include "terminal_progress.h"

#include <unistd.h>

namespace amalgam::cli {

TerminalProgress::TerminalProgress() : enabled_(::isatty(STDERR_FILENO) == 1) {}

void TerminalProgress::start(const std::string& stage, std::size_t total) {
    stage_ = stage;
    total_ = total;
    draw(0, true);
}

void TerminalProgress::advance(std::size_t done) { draw(done, false); }

void TerminalProgress::finish() {
    if (drawn_ != total_) draw(total_, true);
    if (enabled_) std::fputc('\n', stderr);
}

void TerminalProgress::draw(std::size_t done, bool force) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    drawn_ = done;
    constexpr int width = 30;
    double share = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
    int filled = static_cast<int>(share * width);
    std::fprintf(stderr, "\r%-10s [%s%s] %3d%%", stage_.c_str(), std::string(filled, '#').c_str(),
                 std::string(width - filled, ' ').c_str(), static_cast<int>(share * 100));
    std::fflush(stderr);
}

}  // namespace amalgam::cli
