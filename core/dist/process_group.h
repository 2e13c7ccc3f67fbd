#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "core/dist/launch_env.h"

namespace amalgam {

/** The processes of one data-parallel run, joined over c10d: a TCPStore for the rendezvous
 *  (rank 0 serves it), and for the collectives NCCL on a GPU where libtorch carries it, Gloo
 *  otherwise (a GPU's tensors then go through host memory). libtorch has no C++ DDP, so what
 *  is reduced and when is the trainer's. */
class ProcessGroup {
public:
    /** Meets the other ranks at env.master_addr:env.master_port, to compute on `device` (this
     *  rank's own); throws std::runtime_error naming the address and the ranks that did not
     *  arrive within `timeout`. */
    static std::unique_ptr<ProcessGroup> join(const LaunchEnv& env, std::chrono::seconds timeout, at::Device device = at::kCPU);
    ~ProcessGroup();

    int rank() const { return env_.rank; }
    int size() const { return env_.world_size; }
    const LaunchEnv& env() const { return env_; }
    at::Device device() const { return device_; }
    /** "nccl" or "gloo": what sums this rank's tensors. */
    std::string backend() const;

    /** Sums `tensors` over the ranks, in place, as one flat buffer in the widest of their types. */
    void sum(const std::vector<at::Tensor>& tensors);
    /** Waits until every rank has come here. */
    void barrier();
    /** Every rank's `text`, by rank. `key` names what is gathered in errors and in the store;
     *  every rank calls gather the same number of times, so a key may be used again. */
    std::vector<std::string> gather(const std::string& key, const std::string& text);

private:
    struct Parts;
    ProcessGroup(const LaunchEnv& env, at::Device device, std::unique_ptr<Parts> parts);
    LaunchEnv env_;
    at::Device device_;
    std::unique_ptr<Parts> parts_;
    std::uint64_t gathers_ = 0;  ///< calls so far: each call's keys are its own
};

/** The contiguous part [first, second) of `count` items in order that this rank takes: ranks
 *  take equal parts in rank order, the last ones fewer. All of them without a group. */
std::pair<std::size_t, std::size_t> rank_share(std::size_t count, const ProcessGroup* group);

}  // namespace amalgam
