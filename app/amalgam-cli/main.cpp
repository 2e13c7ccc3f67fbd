#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <c10/util/Exception.h>

#include "arguments.h"
#include "commands.h"
#include "core/model/threads.h"
#include "core/util/blas_kernels.h"
#include "core/util/memory_reuse.h"

using namespace amalgam::cli;

namespace {

const Command kCommands[] = {
    {"curate", "unify, cluster and select a recipe's datasets into D_train", kCurateUsage, run_curate},
    {"inspect", "show how a dataset file is read", kInspectUsage, run_inspect},
    {"model", "create a random-weight model folder, or describe one", kModelUsage, run_model},
    {"generate", "continue a prompt with a model", kGenerateUsage, run_generate},
    {"score", "log-probabilities of a continuation given a context", kScoreUsage, run_score},
    {"train", "train an SFT, reward-model, DPO or PPO LoRA adapter into a run folder", kTrainUsage, run_train},
    {"submit", "a training run as a Slurm batch job (sbatch), resuming itself when requeued", kSubmitUsage, run_submit},
    {"cancel", "cancel the Slurm job of a run folder (scancel)", kCancelUsage, run_cancel},
    {"eval", "bias and accuracy metrics of a model into results.json", kEvalUsage, run_eval},
    {"compare", "the stored evaluations as a comparison table", kCompareUsage, run_compare},
    {"runs", "the training runs a workspace records, with their lineage", kRunsUsage, run_runs},
    {"data", "fetch the public datasets and tokenizers, checked against their SHA-256", kDataUsage, run_data},
    {"devices", "the devices models can run on (cpu, cuda:N)", kDevicesUsage, run_devices},
};

void print_overview(std::FILE* to) {
    std::fprintf(to, "usage: amalgam-cli COMMAND [options]   (amalgam-cli COMMAND --help for details)\n\ncommands:\n");
    for (const auto& c : kCommands) std::fprintf(to, "  %-10s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
    amalgam::use_fast_blas_kernels();
    amalgam::keep_freed_memory_for_reuse();
    std::vector<std::string> words(argv + 1, argv + argc);
    if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
        print_overview(words.empty() ? stderr : stdout);
        return words.empty() ? 2 : 0;
    }
    if (words[0] == "--version") {
        std::printf("amalgam-cli %s\n", AMALGAM_VERSION);
        return 0;
    }
    for (const auto& c : kCommands) {
        if (words[0] != c.name) continue;
        std::vector<std::string> rest(words.begin() + 1, words.end());
        for (const auto& w : rest)
            if (w == "--help" || w == "-h") {
                std::fputs(c.usage, stdout);
                return 0;
            }
        try {
            amalgam::use_all_cores();
            return c.run(rest);
        } catch (const UsageError& e) {
            std::fprintf(stderr, "amalgam-cli %s: %s\n\n%s", c.name, e.what(), c.usage);
            return 2;
        } catch (const c10::Error& e) {  // libtorch's own text carries a C++ backtrace
            std::fprintf(stderr, "amalgam-cli %s: error: %s\n", c.name, e.what_without_backtrace());
            return 1;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "amalgam-cli %s: error: %s\n", c.name, e.what());
            return 1;
        }
    }
    std::fprintf(stderr, "amalgam-cli: unknown command '%s'\n\n", words[0].c_str());
    print_overview(stderr);
    return 2;
}
