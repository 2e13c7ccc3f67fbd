// amalgam-cli data: the public datasets of the paper's experiments, fetched and checked.
#include <cstdio>

#include "arguments.h"
#include "commands.h"
#include "core/fetch/data_fetch.h"
#include "core/util/data_home.h"
#include "terminal_progress.h"

namespace amalgam::cli {

const char* const kDataUsage = R"(usage: amalgam-cli data get [--to DIR] [--from DIR_OR_URL]
       amalgam-cli data check [DIR]
       amalgam-cli data path

get fetches the public datasets and tokenizers the paper's experiments use (WinoBias,
Winogender, WinoGrande, OASST1, the GPT-2 and BERT tokenizers; about 14 MiB) from their
public sources, pinned to a commit, and checks every file against its SHA-256 before it
is written. Files already there with the right checksum are kept, so get can be run again
to finish an interrupted fetch. check verifies a folder without fetching anything. path
prints the default folder.

The default folder is $AMALGAM_DATA when set, else ~/.local/share/Amalgam/data; recipes'
${data} and eval's --data default to the same folder.

options:
  --to DIR            where the data goes (default: the default folder)
  --from DIR_OR_URL   a mirror laid out like the data folder instead of the public
                      sources: a folder (another machine's data folder), or an http(s)://
                      or file:// URL
)";

namespace {

const char* outcome_word(DataFileOutcome outcome) {
    switch (outcome) {
        case DataFileOutcome::Present: return "present";
        case DataFileOutcome::Fetched: return "fetched";
        case DataFileOutcome::Failed: return "FAILED ";
    }
    return "";
}

int data_get(const std::vector<std::string>& words) {
    Arguments args(words, {"to", "from"}, {});
    if (!args.positional().empty()) throw UsageError("data get takes no positional arguments");
    const std::filesystem::path to = args.option("to").value_or(default_data_dir().string());
    const std::string from = args.option("from").value_or("");
    const auto& files = data_manifest();
    std::printf("%zu files into %s, from %s\n", files.size(), to.string().c_str(), from.empty() ? "their public sources" : from.c_str());
    std::fflush(stdout);

    TerminalProgress progress;
    const auto summary = fetch_data(files, to, from, progress, [](const DataFile& file, DataFileOutcome outcome, const std::string& detail) {
        if (outcome == DataFileOutcome::Present) return;
        const bool failed = outcome == DataFileOutcome::Failed;
        std::printf("  %s  %s%s%s\n", outcome_word(outcome), file.path.c_str(), failed ? "  " : "", failed ? detail.c_str() : "");
        std::fflush(stdout);
    });
    std::printf("%zu fetched (%s), %zu already present, %zu failed%s\n", summary.fetched, size_text(summary.fetched_bytes).c_str(),
                summary.present, summary.failures.size(), summary.not_tried ? (", " + std::to_string(summary.not_tried) + " not tried").c_str() : "");
    if (summary.complete()) return 0;
    if (!summary.failures.empty()) {
        std::fprintf(stderr, "amalgam-cli data get: %zu of %zu files could not be fetched:\n", summary.failures.size(), files.size());
        for (const auto& failure : summary.failures) std::fprintf(stderr, "  %s\n", failure.c_str());
    }
    if (!summary.stopped.empty())
        std::fprintf(stderr, "amalgam-cli data get: stopped: %s. Without a network, copy a data folder from another machine and pass it with --from.\n",
                     summary.stopped.c_str());
    std::fprintf(stderr, "Run it again to finish; the files fetched are kept.\n");
    return 1;
}

int data_check(const std::vector<std::string>& words) {
    Arguments args(words, {}, {});
    if (args.positional().size() > 1) throw UsageError("data check takes at most one folder");
    const std::filesystem::path dir = args.positional().empty() ? default_data_dir() : std::filesystem::path(args.positional()[0]);
    const auto& files = data_manifest();
    const auto problems = check_data(files, dir);
    if (problems.empty()) {
        std::printf("%s: all %zu files match their checksums\n", dir.string().c_str(), files.size());
        return 0;
    }
    std::fprintf(stderr, "%s: %zu of %zu files are missing or do not match:\n", dir.string().c_str(), problems.size(), files.size());
    for (const auto& problem : problems) std::fprintf(stderr, "  %s\n", problem.c_str());
    std::fprintf(stderr, "amalgam-cli data get%s fetches them.\n", args.positional().empty() ? "" : (" --to " + dir.string()).c_str());
    return 1;
}

}  // namespace

int run_data(const std::vector<std::string>& words) {
    if (words.empty()) throw UsageError("data needs a subcommand: get, check or path");
    const std::vector<std::string> rest(words.begin() + 1, words.end());
    if (words[0] == "get") return data_get(rest);
    if (words[0] == "check") return data_check(rest);
    if (words[0] == "path") {
        Arguments(rest, {}, {});
        if (!rest.empty()) throw UsageError("data path takes no arguments");
        std::printf("%s\n", default_data_dir().string().c_str());
        return 0;
    }
    throw UsageError("unknown data subcommand '" + words[0] + "' (get, check or path)");
}

}  // namespace amalgam::cli
