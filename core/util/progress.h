#pragma once

#include <cstddef>
#include <string>

namespace amalgam {

/** Where long-running core work reports how far it has come. The core never prints: the CLI
 *  draws a bar on a terminal, a worker streams JSON lines, the GUI moves a progress bar. */
class Progress {
public:
    virtual ~Progress() = default;
    virtual void start(const std::string& stage, std::size_t total) = 0;
    virtual void advance(std::size_t done) = 0;  // items done so far in this stage
    virtual void finish() = 0;
};

/** Progress that goes nowhere. */
class NoProgress final : public Progress {
public:
    void start(const std::string&, std::size_t) override {}
    void advance(std::size_t) override {}
    void finish() override {}
};

}  // namespace amalgam
