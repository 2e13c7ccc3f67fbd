#pragma once
// What train and submit share: the config as the command line reads it, and the workspace's record of a run.

#include <filesystem>
#include <string>

#include "core/contract/device.h"
#include "core/contract/precision.h"
#include "core/store/workspace.h"
#include "core/train/train_config.h"

namespace amalgam::cli {

/** The config file, checked against the files it names, with its errors reported at their YAML line. */
TrainConfig read_config(const std::filesystem::path& path);

/** The workspace's record of the run in `run_dir`: the workbench's, when a job of the workspace
 *  launched it; else the command line's, made or brought up to this launch, labelled with the
 *  folder's name, its parent and reward model being the stored runs whose folders hold its
 *  adapters. So the workbench lists a run of the command line, and `compare --last-steps` knows
 *  which rows are its. `cluster_job` is the Slurm job it runs as (empty for none). */
RunRow recorded_run(Workspace& workspace, const std::filesystem::path& run_dir, const TrainConfig& config, const Device& device,
                    Precision precision, const std::string& cluster_job);

}  // namespace amalgam::cli
