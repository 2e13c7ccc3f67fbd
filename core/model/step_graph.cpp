#include "core/model/step_graph.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

#ifdef AMALGAM_CUDA_GRAPHS
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace amalgam {

#ifdef AMALGAM_CUDA_GRAPHS

struct StepGraph::Recording {
    /** "cuda" names the current device. */
    explicit Recording(const at::Device& d) : device(d.has_index() ? d : at::Device(at::kCUDA, c10::cuda::current_device())) {}
    at::Device device;
    at::cuda::CUDAGraph graph;
};

bool StepGraph::supported(const at::Device& device) {
    const char* wanted = std::getenv("AMALGAM_CUDA_GRAPHS");
    return device.is_cuda() && !(wanted && std::string(wanted) == "0");
}

StepGraph::StepGraph(const at::Device& device, const std::function<void()>& step) {
    if (!supported(device)) throw std::invalid_argument("only CUDA steps can be recorded as a graph");
    recording_ = std::make_unique<Recording>(device);
    const c10::cuda::CUDAGuard device_guard(recording_->device);
    // The work queued so far (the prompts' pass, the first choice) is on the caller's stream;
    // capture may not use the default stream, so the step is recorded on one of its own.
    c10::cuda::getCurrentCUDAStream().synchronize();
    const c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(false, recording_->device.index());
    const c10::cuda::CUDAStreamGuard stream_guard(side);
    step();  // warm-up: the libraries' lazy set-up happens outside the capture
    side.synchronize();
    recording_->graph.capture_begin();
    step();
    recording_->graph.capture_end();
}

StepGraph::~StepGraph() {
    // Replays may still run, and the graph's memory goes back to the allocator with it.
    if (recording_) c10::cuda::device_synchronize();
}

void StepGraph::replay() {
    const c10::cuda::CUDAGuard device_guard(recording_->device);
    recording_->graph.replay();  // on the caller's stream, after the work it queued before
}

#else

struct StepGraph::Recording {};

bool StepGraph::supported(const at::Device&) { return false; }

StepGraph::StepGraph(const at::Device&, const std::function<void()>&) {
    throw std::invalid_argument("this build of libtorch has no CUDA: no step can be recorded as a graph");
}

StepGraph::~StepGraph() = default;

void StepGraph::replay() {}

#endif

}  // namespace amalgam
