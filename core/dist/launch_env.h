#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace amalgam {

/** Where this process stands among the processes a launcher started for one run: torchrun's
 *  variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT) or srun's (SLURM_PROCID,
 *  SLURM_STEP_NUM_TASKS, SLURM_LOCALID, the first host of the step's node list, and a port
 *  derived from SLURM_JOB_ID unless MASTER_ADDR / MASTER_PORT say otherwise). */
struct LaunchEnv {
    int rank = 0;
    int world_size = 1;
    int local_rank = 0;
    std::string master_addr;
    int master_port = 0;
    std::string launcher;  ///< "torchrun" or "slurm"
};

using Getenv = std::function<const char*(const char*)>;

/** The launch this process's environment describes, or nullopt where no launcher's variables are
 *  set (a plain process, or a Slurm batch script outside srun). Throws std::invalid_argument
 *  naming the variable that is missing or malformed. */
std::optional<LaunchEnv> launch_env(const Getenv& getenv);

/** The first host of a Slurm node list: "gpu[03-05,09],cpu1" gives "gpu03". */
std::string first_slurm_host(std::string_view nodelist);

}  // namespace amalgam
