#pragma once

#include <memory>

#include "arguments.h"
#include "core/dist/process_group.h"

namespace amalgam::cli {

/** The options of a command that runs as one rank of several, for its usage text. */
#define AMALGAM_PROCESS_GROUP_OPTIONS                                                             \
    "  --dist auto|off     auto (default): started by torchrun or srun with more than one\n"      \
    "                      process, join them (Gloo over a TCPStore rendezvous); off: run alone\n" \
    "  --dist-timeout S    seconds every rank has to reach the rendezvous (default 300)\n"

/** The process group the launcher's variables describe, joined to compute on `device` as this
 *  rank has it (plain cuda: its own GPU, cuda:LOCAL_RANK); nullptr where there are none, where
 *  they name a single process, or with --dist off. */
std::unique_ptr<ProcessGroup> join_process_group(const Arguments& args, at::Device device);

/** Where this process computes: its rank's device in a group, else `device`. */
at::Device rank_device(at::Device device, const ProcessGroup* group);

}  // namespace amalgam::cli
