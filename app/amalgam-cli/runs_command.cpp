// amalgam-cli runs: the training runs a workspace records, with their lineage.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "arguments.h"
#include "core/cluster/slurm_jobs.h"
#include "commands.h"
#include "core/store/workspace.h"
#include "core/util/csv_field.h"

namespace amalgam::cli {

const char* const kRunsUsage = R"(usage: amalgam-cli runs --workspace FILE [--format md|csv]

Lists the training runs the workspace records, those the workbench launched and those of
`amalgam-cli train --workspace`, oldest first: the stage, the step reached of the steps
planned (from RUN_DIR/metrics.jsonl and the config), whether the final adapter is written,
the runs it started from (its parent, and for PPO its reward model), the data file with the
start of its SHA-256, who launched it and the folder. A run of `amalgam-cli submit` is
launched by its Slurm job, shown with the state squeue or sacct give it ("Slurm job 812:
running"), or "ended" where Slurm no longer knows the job and the run wrote no final adapter.
)";

namespace {

namespace fs = std::filesystem;

/** "4 / 10": the newest step metrics.jsonl logged, of the config's max_steps when it has one. */
std::string steps_text(const RunRow& run) {
    std::int64_t step = 0;
    std::ifstream in(fs::path(run.dir) / "metrics.jsonl");
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (j.is_object() && j.contains("step") && j["step"].is_number_integer()) step = std::max(step, j["step"].get<std::int64_t>());
    }
    std::string text = std::to_string(step);
    if (run.max_steps) text += " / " + std::to_string(*run.max_steps);  // a run of epochs has no planned step count
    return text;
}

}  // namespace

int run_runs(const std::vector<std::string>& words) {
    Arguments args(words, {"workspace", "format"}, {});
    auto workspace = args.option("workspace");
    if (!workspace) throw UsageError("runs needs --workspace FILE");
    const std::string format = args.option("format").value_or("md");
    if (format != "md" && format != "csv") throw UsageError("--format must be md or csv");
    if (!fs::exists(*workspace)) throw std::runtime_error(*workspace + ": no such workspace");

    const std::vector<RunRow> runs = Workspace(*workspace).runs().all();
    std::vector<std::string> jobs;
    for (const auto& r : runs)
        if (!r.cluster_job.empty()) jobs.push_back(r.cluster_job);
    const std::map<std::string, std::string> states = slurm_job_states(jobs);
    std::map<std::int64_t, std::string> labels;
    for (const auto& r : runs) labels[r.id] = r.label;
    const auto label_of = [&](const std::optional<std::int64_t>& id) { return id ? labels[*id] : std::string(); };

    const std::vector<std::string> header = {"run", "stage", "steps", "adapter", "from", "reward model", "data", "sha256", "launched by", "folder"};
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : runs) {
        const bool adapter = fs::exists(fs::path(r.dir) / "adapter" / "adapter_config.json");
        std::string launcher = r.job_id ? "workbench" : "command line";
        if (!r.cluster_job.empty()) launcher = "Slurm job " + r.cluster_job + ": " + run_job_state(states, r.cluster_job, r.dir);
        rows.push_back({r.label, to_string(r.stage), steps_text(r), adapter ? "yes" : "no", label_of(r.parent_run), label_of(r.reward_run),
                        fs::path(r.data).filename().string(), r.data_sha256.substr(0, 12), launcher, r.dir});
    }

    const bool csv = format == "csv";
    const auto line = [csv](const std::vector<std::string>& cells) {
        std::string text = csv ? "" : "|";
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (csv) {
                text += (i ? "," : "") + csv_field(cells[i]);
                continue;
            }
            text += " ";
            for (char c : cells[i]) text += c == '|' ? std::string("\\|") : std::string(1, c);
            text += " |";
        }
        return text + "\n";
    };
    std::string out = line(header);
    if (!csv) out += line(std::vector<std::string>(header.size(), "---"));
    for (const auto& row : rows) out += line(row);
    std::fputs(out.c_str(), stdout);
    if (runs.empty()) std::fprintf(stderr, "%s: no runs recorded yet (amalgam-cli train ... --workspace FILE)\n", workspace->c_str());
    return 0;
}

}  // namespace amalgam::cli
