#include "core/cluster/slurm_jobs.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/contract/slurm_script.h"
#include "core/util/atomic_file.h"

namespace amalgam {
namespace {

namespace fs = std::filesystem;

struct Answer {
    int status = 0;
    std::string text;  ///< stdout and stderr together, without the last line break
};

/** Runs a Slurm command (its words quoted for the shell) and reads what it prints. */
Answer ask(const std::vector<std::string>& words) {
    std::string command;
    for (const auto& w : words) command += (command.empty() ? "" : " ") + shell_word(w);
    command += " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) throw std::runtime_error("cannot run " + words.front());
    Answer answer;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe.get())) answer.text += buffer;
    answer.status = ::pclose(pipe.release());
    while (!answer.text.empty() && (answer.text.back() == '\n' || answer.text.back() == '\r')) answer.text.pop_back();
    return answer;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string joined(const std::vector<std::string>& jobs) {
    std::string list;
    for (const auto& j : jobs) list += (list.empty() ? "" : ",") + j;
    return list;
}

}  // namespace

std::string run_job_state(const std::map<std::string, std::string>& states, const std::string& job, const fs::path& run_dir) {
    if (const auto it = states.find(job); it != states.end()) return it->second;
    return fs::exists(run_dir / "adapter" / "adapter_config.json") ? "completed" : "ended";
}

std::chrono::milliseconds slurm_poll_interval() {
    const char* text = std::getenv("AMALGAM_SLURM_POLL_SECONDS");
    const double seconds = text && *text ? std::atof(text) : 10.0;
    return std::chrono::milliseconds(static_cast<std::int64_t>(1000 * std::max(0.05, seconds)));
}

bool is_final_slurm_state(const std::string& state) {
    for (const char* end : {"completed", "cancelled", "failed", "timeout", "node_fail", "out_of_memory", "preempted", "boot_fail", "deadline", "ended"})
        if (state == end) return true;
    return false;
}

std::vector<std::string> squeue_states_command() { return {"squeue", "-h", "--me", "-t", "all", "-o", "%i|%T"}; }

std::map<std::string, std::string> read_slurm_states(const std::string& text, const std::vector<std::string>& jobs) {
    std::map<std::string, std::string> states;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        const auto bar = line.find('|');
        if (bar == std::string::npos) continue;
        const std::string job = line.substr(0, bar), state = line.substr(bar + 1, line.find(' ', bar) - bar - 1);
        if (!state.empty() && !states.count(job) && std::find(jobs.begin(), jobs.end(), job) != jobs.end()) states[job] = lower(state);
    }
    return states;
}

std::string submit_batch_script(const fs::path& script) {
    const Answer a = ask({"sbatch", "--parsable", script.string()});
    if (a.status != 0) throw std::runtime_error("sbatch refused " + script.string() + ": " + (a.text.empty() ? "no answer (is Slurm installed?)" : a.text));
    return a.text.substr(0, a.text.find(';'));  // "ID" or "ID;CLUSTER"
}

std::map<std::string, std::string> slurm_job_states(const std::vector<std::string>& jobs) {
    std::map<std::string, std::string> states;
    if (jobs.empty()) return states;
    // Every state the controller still holds (finished jobs stay a few minutes), then the accounting's.
    if (const Answer a = ask(squeue_states_command()); a.status == 0) states = read_slurm_states(a.text, jobs);
    std::vector<std::string> older;
    for (const auto& j : jobs)
        if (!states.count(j)) older.push_back(j);
    if (!older.empty())
        if (const Answer a = ask({"sacct", "-n", "-X", "-P", "-o", "JobID,State", "-j", joined(older)}); a.status == 0) states.merge(read_slurm_states(a.text, older));
    return states;
}

void cancel_slurm_job(const std::string& job) {
    const Answer a = ask({"scancel", job});
    if (a.status != 0) throw std::runtime_error("scancel " + job + ": " + (a.text.empty() ? "no answer (is Slurm installed?)" : a.text));
}

std::optional<std::string> slurm_job_of_run(const fs::path& run_dir) {
    std::ifstream recorded(run_dir / "slurm_job");
    if (std::string job; recorded && std::getline(recorded, job) && !job.empty()) return job;
    std::ifstream run_json(run_dir / "run.json");
    if (!run_json) return std::nullopt;
    const auto run = nlohmann::json::parse(run_json, nullptr, /*allow_exceptions=*/false);
    if (run.is_object() && run.contains("slurm_job") && run["slurm_job"].is_string()) return run["slurm_job"].get<std::string>();
    return std::nullopt;
}

void record_slurm_job(const fs::path& run_dir, const std::string& job) { write_file_atomically(run_dir / "slurm_job", job + "\n"); }

}  // namespace amalgam
