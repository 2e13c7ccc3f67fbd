#include "core/dist/launch_env.h"

#include <charconv>
#include <stdexcept>

namespace amalgam {
namespace {

/** A variable's value as a whole number in [low, high]. */
int whole(const Getenv& getenv, const char* name, int low, int high) {
    const char* text = getenv(name);
    if (!text) throw std::invalid_argument(std::string(name) + " is not set");
    const std::string_view value(text);
    long long n = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (value.empty() || error != std::errc() || end != value.data() + value.size() || n < low || n > high)
        throw std::invalid_argument(std::string(name) + "='" + text + "' is not a whole number from " + std::to_string(low) + " to " +
                                    std::to_string(high));
    return static_cast<int>(n);
}

std::string text(const Getenv& getenv, const char* name) {
    const char* value = getenv(name);
    if (!value || !*value) throw std::invalid_argument(std::string(name) + " is not set");
    return value;
}

constexpr int kMaxRanks = 1 << 20;

}  // namespace

std::string first_slurm_host(std::string_view nodelist) {
    const std::size_t end = nodelist.find_first_of(",[");
    std::string host(nodelist.substr(0, end));
    if (end == std::string_view::npos || nodelist[end] == ',') return host;
    // A bracketed range: the prefix and the first number of the first range, its zeros kept.
    const std::string_view range = nodelist.substr(end + 1);
    return host + std::string(range.substr(0, range.find_first_of("-,]")));
}

std::optional<LaunchEnv> launch_env(const Getenv& getenv) {
    // Where this process stands, as a launcher names it.
    const auto ranks = [&](const char* launcher, const char* rank, const char* world_size, const char* local_rank) {
        LaunchEnv env;
        env.launcher = launcher;
        env.world_size = whole(getenv, world_size, 1, kMaxRanks);
        env.rank = whole(getenv, rank, 0, env.world_size - 1);
        env.local_rank = getenv(local_rank) ? whole(getenv, local_rank, 0, kMaxRanks) : 0;
        return env;
    };
    if (getenv("RANK") && getenv("WORLD_SIZE")) {
        LaunchEnv env = ranks("torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK");
        env.master_addr = text(getenv, "MASTER_ADDR");
        env.master_port = whole(getenv, "MASTER_PORT", 1, 65535);
        return env;
    }
    // srun sets the step's variables in each task; a batch script's own shell has none of them.
    if (getenv("SLURM_PROCID") && getenv("SLURM_STEP_NUM_TASKS")) {
        LaunchEnv env = ranks("slurm", "SLURM_PROCID", "SLURM_STEP_NUM_TASKS", "SLURM_LOCALID");
        if (getenv("MASTER_ADDR")) {
            env.master_addr = text(getenv, "MASTER_ADDR");
        } else {
            const char* nodes = getenv("SLURM_STEP_NODELIST") ? "SLURM_STEP_NODELIST" : "SLURM_JOB_NODELIST";
            env.master_addr = first_slurm_host(text(getenv, nodes));
        }
        // A port of its own for each job, so that two jobs sharing a node do not meet.
        env.master_port = getenv("MASTER_PORT") ? whole(getenv, "MASTER_PORT", 1, 65535)
                                                : 15000 + whole(getenv, "SLURM_JOB_ID", 0, 2147483647) % 20000;
        return env;
    }
    return std::nullopt;
}

}  // namespace amalgam
