#pragma once

#include <string>
#include <vector>

namespace amalgam::cli {

/** One subcommand of amalgam-cli: its name, a one-line summary, its usage text and the
 *  function that runs it (returning the exit status). */
struct Command {
    const char* name;
    const char* summary;
    const char* usage;
    int (*run)(const std::vector<std::string>& args);
};

int run_curate(const std::vector<std::string>& args);
int run_inspect(const std::vector<std::string>& args);

extern const char* const kCurateUsage;
extern const char* const kInspectUsage;

}  // namespace amalgam::cli
