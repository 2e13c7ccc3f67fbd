#include "core/contract/slurm_script.h"

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
