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
int run_model(const std::vector<std::string>& args);
int run_generate(const std::vector<std::string>& args);
int run_score(const std::vector<std::string>& args);
int run_eval(const std::vector<std::string>& args);
int run_compare(const std::vector<std::string>& args);
int run_runs(const std::vector<std::string>& args);
int run_devices(const std::vector<std::string>& args);
int run_train(const std::vector<std::string>& args);
int run_submit(const std::vector<std::string>& args);
int run_cancel(const std::vector<std::string>& args);
int run_data(const std::vector<std::string>& args);

extern const char* const kCurateUsage;
extern const char* const kInspectUsage;
extern const char* const kModelUsage;
extern const char* const kGenerateUsage;
extern const char* const kScoreUsage;
extern const char* const kEvalUsage;
extern const char* const kCompareUsage;
extern const char* const kRunsUsage;
extern const char* const kSubmitUsage;
extern const char* const kCancelUsage;
extern const char* const kDevicesUsage;
extern const char* const kTrainUsage;
extern const char* const kDataUsage;

}  // namespace amalgam::cli
