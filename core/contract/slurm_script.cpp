#include "core/contract/slurm_script.h"

#include <algorithm>
#include <stdexcept>

namespace amalgam {

namespace {

/** A value of an #SBATCH line, refused where it would end the line. */
const std::string& line_value(const std::string& what, const std::string& value) {
    if (value.find_first_of("\r\n") != std::string::npos) throw std::invalid_argument(what + " holds a line break");
    return value;
}

}  // namespace

std::string shell_word(const std::string& text) {
    if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") == std::string::npos)
        return text;
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

bool is_submission_file(const std::string& file_name) {
    return file_name == "job.sbatch" || file_name == "slurm_job" || (file_name.rfind("slurm-", 0) == 0 && file_name.size() > 10 &&
                                         file_name.compare(file_name.size() - 4, 4, ".out") == 0);
}

std::vector<std::string> submit_flags(const SlurmRequest& r) {
    std::vector<std::string> flags;
    const auto number = [&](const char* flag, int value, int default_value) {
        if (value != default_value) flags.insert(flags.end(), {flag, std::to_string(value)});
    };
    const auto text = [&](const char* flag, const std::string& value) {
        if (!value.empty()) flags.insert(flags.end(), {flag, value});
    };
    number("--nodes", r.nodes, 1);
    number("--tasks-per-node", r.tasks_per_node, std::max(1, r.gpus_per_node));
    number("--gpus-per-node", r.gpus_per_node, 0);
    number("--cpus-per-task", r.cpus_per_task, 0);
    text("--mem", r.mem);
    text("--partition", r.partition);
    text("--time", r.time);
    text("--account", r.account);
    for (const std::string& extra : r.sbatch_options) text("--sbatch-option", extra);
    return flags;
}

nlohmann::json slurm_request_json(const SlurmRequest& r) {
    return {{"nodes", r.nodes},         {"tasks_per_node", r.tasks_per_node}, {"gpus_per_node", r.gpus_per_node},
            {"cpus_per_task", r.cpus_per_task}, {"mem", r.mem},           {"partition", r.partition},
            {"time", r.time},           {"account", r.account},             {"sbatch_options", r.sbatch_options}};
}

SlurmRequest slurm_request_from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw std::invalid_argument("Slurm settings are not a JSON object");
    SlurmRequest r;
    try {
        r.nodes = j.at("nodes").get<int>();
        r.tasks_per_node = j.at("tasks_per_node").get<int>();
        r.gpus_per_node = j.at("gpus_per_node").get<int>();
        r.cpus_per_task = j.at("cpus_per_task").get<int>();
        r.mem = j.at("mem").get<std::string>();
        r.partition = j.at("partition").get<std::string>();
        r.time = j.at("time").get<std::string>();
        r.account = j.at("account").get<std::string>();
        r.sbatch_options = j.at("sbatch_options").get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("Slurm settings: ") + e.what());
    }
    return r;
}

std::vector<std::string> submitted_train_arguments(const std::string& config, const std::string& run_dir, const SlurmRequest& request,
                                                   Precision precision, const std::string& workspace) {
    std::vector<std::string> train = {config, "--out", run_dir};
    if (request.gpus_per_node > 0) train.insert(train.end(), {"--device", "cuda"});
    if (precision != Precision::Auto) train.insert(train.end(), {"--dtype", to_string(precision)});
    if (!workspace.empty()) train.insert(train.end(), {"--workspace", workspace});
    return train;
}

std::string slurm_script(const SlurmRequest& r, const std::string& cli, const std::string& run_dir,
                         const std::vector<std::string>& train_arguments) {
    if (r.nodes < 1 || r.tasks_per_node < 1) throw std::invalid_argument("a job needs at least one node and one task on it");
    std::string s = "#!/bin/bash\n";
    const auto option = [&](const std::string& name, const std::string& value) {
        if (!value.empty()) s += "#SBATCH --" + name + "=" + line_value("--" + name, value) + "\n";
    };
    const std::size_t slash = run_dir.find_last_of('/');
    option("job-name", "amalgam-" + (slash == std::string::npos ? run_dir : run_dir.substr(slash + 1)));
    option("nodes", std::to_string(r.nodes));
    option("ntasks-per-node", std::to_string(r.tasks_per_node));
    if (r.gpus_per_node > 0) option("gpus-per-node", std::to_string(r.gpus_per_node));
    if (r.cpus_per_task > 0) option("cpus-per-task", std::to_string(r.cpus_per_task));
    option("mem", r.mem);
    option("partition", r.partition);
    option("time", r.time);
    option("account", r.account);
    option("output", run_dir + "/slurm-%j.out");
    option("open-mode", "append");
    option("signal", "USR1@120");
    s += "#SBATCH --requeue\n";
    for (const std::string& extra : r.sbatch_options) s += "#SBATCH " + line_value("--sbatch-option", extra) + "\n";
    s += "\n# Every start, the first and each after a requeue, resumes from the newest checkpoint.\nsrun " + shell_word(cli) + " train";
    for (const std::string& a : train_arguments) s += " " + shell_word(line_value("an argument", a));
    s += " --resume\nstatus=$?\n"
         "# 75: the ranks checkpointed when asked (SIGUSR1 before the time limit, or a preemption).\n"
         "if [ $status -eq 75 ]; then scontrol requeue \"$SLURM_JOB_ID\"; fi\n"
         "exit $status\n";
    return s;
}

}  // namespace amalgam
