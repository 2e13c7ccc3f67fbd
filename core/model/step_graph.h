#pragma once

#include <functional>
#include <memory>

#include <ATen/ATen.h>

namespace amalgam {

/** A step of work recorded once as a CUDA graph and replayed: one launch instead of the
 *  hundreds of kernels a decoding step takes, which is what bounds small-batch decoding.
 *  The step must read and write only tensors that outlive the graph and never wait for the
 *  host (no .item(), no copies from host memory), so that every replay does the same work on
 *  the same memory. It is recorded on a stream of its own, as capture requires, and replayed
 *  on the caller's, after the work queued there; the destructor waits for the device. */
class StepGraph {
public:
    /** Whether steps on `device` are recorded: a CUDA device, in a build of libtorch with CUDA,
     *  unless AMALGAM_CUDA_GRAPHS=0 asks for every step to be launched kernel by kernel. */
    static bool supported(const at::Device& device);

    /** Runs `step` once (the warm-up capture needs, which does the step's work), then records it. */
    StepGraph(const at::Device& device, const std::function<void()>& step);
    ~StepGraph();
    StepGraph(const StepGraph&) = delete;
    StepGraph& operator=(const StepGraph&) = delete;

    /** Runs the recorded step again. */
    void replay();

private:
    struct Recording;
    std::unique_ptr<Recording> recording_;
};

}  // namespace amalgam
