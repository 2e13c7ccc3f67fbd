#include "process_group_option.h"

#include <cstdlib>
#include <stdexcept>

namespace amalgam::cli {

std::unique_ptr<ProcessGroup> join_process_group(const Arguments& args, at::Device device) {
    const std::string mode = args.option("dist").value_or("auto");
    if (mode != "auto" && mode != "off") throw UsageError("--dist is auto or off, not '" + mode + "'");
    if (mode == "off") return nullptr;
    std::optional<LaunchEnv> env;
    try {
        env = launch_env([](const char* name) { return std::getenv(name); });
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("the launcher's environment: ") + e.what());
    }
    if (!env || env->world_size == 1) return nullptr;  // one process: today's path, byte for byte
    const auto timeout = std::chrono::seconds(args.unsigned_integer("dist-timeout", 300));
    if (device.is_cuda() && !device.has_index()) device = at::Device(at::kCUDA, static_cast<at::DeviceIndex>(env->local_rank));
    return ProcessGroup::join(*env, timeout, device);
}

at::Device rank_device(at::Device device, const ProcessGroup* group) { return group ? group->device() : device; }

}  // namespace amalgam::cli
