#include "core/dist/process_group.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#ifdef AMALGAM_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#ifdef AMALGAM_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace amalgam {

std::pair<std::size_t, std::size_t> rank_share(std::size_t count, const ProcessGroup* group) {
    if (!group) return {0, count};
    const auto ranks = static_cast<std::size_t>(group->size()), rank = static_cast<std::size_t>(group->rank());
    const std::size_t share = (count + ranks - 1) / ranks, first = std::min(count, share * rank);
    return {first, std::min(count, first + share)};
}

#ifndef AMALGAM_GLOO
// Without Gloo no group is ever joined: join refuses, and the members below are never reached.
struct ProcessGroup::Parts {};
ProcessGroup::ProcessGroup(const LaunchEnv& env, at::Device device, std::unique_ptr<Parts> parts)
    : env_(env), device_(device), parts_(std::move(parts)) {}
ProcessGroup::~ProcessGroup() = default;
std::string ProcessGroup::backend() const { return "gloo"; }
std::unique_ptr<ProcessGroup> ProcessGroup::join(const LaunchEnv& env, std::chrono::seconds, at::Device) {
    throw std::runtime_error("rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) +
                             ": this build has no Gloo (libgloo-dev) to join a process group; run one process, or pass --dist off");
}
void ProcessGroup::sum(const std::vector<at::Tensor>&) {}
void ProcessGroup::barrier() {}
std::vector<std::string> ProcessGroup::gather(const std::string&, const std::string& text) { return {text}; }
#else

struct ProcessGroup::Parts {
    c10::intrusive_ptr<c10d::TCPStore> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;  ///< the CPU's collectives, the barrier, and a GPU's without NCCL
#ifdef AMALGAM_NCCL
    c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;  ///< a GPU rank's sums
#endif
};

namespace {

std::string address(const LaunchEnv& env) { return env.master_addr + ":" + std::to_string(env.master_port); }

/** Gloo's network device: the interface GLOO_SOCKET_IFNAME names (as PyTorch reads it), or this host's. */
std::shared_ptr<gloo::transport::Device> gloo_device() {
    if (const char* name = std::getenv("GLOO_SOCKET_IFNAME"); name && *name) return c10d::ProcessGroupGloo::createDeviceForInterface(name);
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

ProcessGroup::ProcessGroup(const LaunchEnv& env, at::Device device, std::unique_ptr<Parts> parts)
    : env_(env), device_(device), parts_(std::move(parts)) {}
ProcessGroup::~ProcessGroup() = default;

std::string ProcessGroup::backend() const {
#ifdef AMALGAM_NCCL
    if (parts_->nccl) return "nccl";
#endif
    return "gloo";
}

std::unique_ptr<ProcessGroup> ProcessGroup::join(const LaunchEnv& env, std::chrono::seconds timeout, at::Device device) {
    auto parts = std::make_unique<Parts>();
    const std::string where = "the rendezvous at " + address(env) + " (from " + env.launcher + "'s variables)";
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(env.master_port);
    options.isServer = env.rank == 0;
    options.numWorkers = static_cast<std::size_t>(env.world_size);
    options.waitWorkers = false;  // the ranks meet below, where a missing one can be named
    options.timeout = timeout;
    try {
        parts->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
        parts->store->set("arrived/" + std::to_string(env.rank), std::vector<std::uint8_t>{1});
        std::vector<std::string> keys;
        for (int r = 0; r < env.world_size; ++r) keys.push_back("arrived/" + std::to_string(r));
        parts->store->wait(keys, timeout);
    } catch (const std::exception& e) {
        const auto* c10 = dynamic_cast<const c10::Error*>(&e);
        const std::string reason = c10 ? c10->what_without_backtrace() : e.what();
        std::string missing;
        if (parts->store)
            for (int r = 0; r < env.world_size; ++r)
                if (!parts->store->check({"arrived/" + std::to_string(r)})) missing += (missing.empty() ? "" : ", ") + std::to_string(r);
        throw std::runtime_error("rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) + ": " + where +
                                 (missing.empty() ? " could not be reached" : " saw no rank " + missing) + " within " +
                                 std::to_string(timeout.count()) + " s (" + reason + ")");
    }
    auto gloo_options = c10d::ProcessGroupGloo::Options::create();
    gloo_options->devices.push_back(gloo_device());
    parts->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(parts->store, env.rank, env.world_size, gloo_options);
#ifdef AMALGAM_NCCL
    if (device.is_cuda()) {  // its own keys in the store, beside Gloo's
        c10::cuda::set_device(device.index());
        parts->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(c10::make_intrusive<c10d::PrefixStore>("nccl", parts->store), env.rank,
                                                                  env.world_size);
    }
#endif
    return std::unique_ptr<ProcessGroup>(new ProcessGroup(env, device, std::move(parts)));
}

void ProcessGroup::sum(const std::vector<at::Tensor>& tensors) {
    if (tensors.empty()) return;
    at::ScalarType type = at::kFloat;
    for (const auto& t : tensors)
        if (t.scalar_type() == at::kDouble) type = at::kDouble;
    std::vector<at::Tensor> flat;
    for (const auto& t : tensors) flat.push_back(t.reshape({-1}).to(type));
    std::vector<at::Tensor> buffer{at::cat(flat)};
#ifdef AMALGAM_NCCL
    const bool nccl = parts_->nccl && buffer[0].is_cuda();
    if (nccl) parts_->nccl->allreduce(buffer)->wait();
#else
    const bool nccl = false;
#endif
    if (!nccl) {  // Gloo reduces host memory: a GPU's buffer goes through the host, in one copy each way
        buffer[0] = buffer[0].to(at::kCPU);
        parts_->gloo->allreduce(buffer)->wait();
    }
    std::int64_t offset = 0;
    for (const auto& t : tensors) {
        t.copy_(buffer[0].narrow(0, offset, t.numel()).view(t.sizes()));
        offset += t.numel();
    }
}

void ProcessGroup::barrier() { parts_->gloo->barrier()->wait(); }

std::vector<std::string> ProcessGroup::gather(const std::string& key, const std::string& text) {
    const std::string prefix = "gather/" + std::to_string(gathers_++) + "/" + key + "/";
    parts_->store->set(prefix + std::to_string(rank()), std::vector<std::uint8_t>(text.begin(), text.end()));
    std::vector<std::string> out;
    for (int r = 0; r < size(); ++r) {
        const std::vector<std::uint8_t> value = parts_->store->get(prefix + std::to_string(r));
        out.emplace_back(value.begin(), value.end());
    }
    // Once every rank has read them, the texts leave the store: rank 0 serves it for the whole
    // run, and a PPO run gathers its evaluations' records every few hundred steps.
    barrier();
    parts_->store->deleteKey(prefix + std::to_string(rank()));
    return out;
}

#endif

}  // namespace amalgam
