#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace amalgam {

/** Where long-running core work reports how far it has come. The core never prints: the CLI
 *  draws a bar on a terminal, a worker streams JSON lines, the GUI moves a progress bar. */
class Progress {
public:
    /** A stage the work will go through: its name (as start() will give it), its size in its own
     *  units, and its share of the whole work (any scale; costs as measured), so that a watcher
     *  can show the overall share and a time left from the start. */
    struct Stage {
        std::string name;
        std::size_t total;
        double work;
    };

    virtual ~Progress() = default;
    /** Announces the stages before the first starts; work without a plan reports stages alone. */
    virtual void plan(const std::vector<Stage>& /*stages*/) {}
    virtual void start(const std::string& stage, std::size_t total) = 0;
    virtual void advance(std::size_t done) = 0;  // items done so far in this stage
    virtual void finish() = 0;
};

/** The share of the whole work done when `stage` of `plan` is `share` done: the stages before
 *  it count whole, each by its work. A stage the plan does not name (or no plan) gives its own
 *  share. */
double overall_share(const std::vector<Progress::Stage>& plan, const std::string& stage, double share);

/** Progress that goes nowhere. */
class NoProgress final : public Progress {
public:
    void start(const std::string&, std::size_t) override {}
    void advance(std::size_t) override {}
    void finish() override {}
};

}  // namespace amalgam
