#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "core/util/progress.h"

namespace amalgam::cli {

/** A one-line progress bar on stderr when stderr is a terminal, nothing otherwise. */
class TerminalProgress final : public Progress {
public:
    TerminalProgress();
    void start(const std::string& stage, std::size_t total) override;
    void advance(std::size_t done) override;
    void finish() override;

private:
    void draw(std::size_t done, bool force);
    bool enabled_;
    std::string stage_;
    std::size_t total_ = 0;
    std::size_t drawn_ = 0;  // the value on screen
    std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace amalgam::cli
