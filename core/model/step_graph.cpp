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
    explicit Recording(const at::Device& device)
        : device_guard(device), stream(c10::cuda::getStreamFromPool(false, device.index())), stream_guard(stream) {}
    /** "cuda" names the current device. */
    static at::Device indexed(const at::Device& device) {
        return device.has_index() ? device : at::Device(at::kCUDA, c10::cuda::current_device());
    }
    c10::cuda::CUDAGuard device_guard;
    c10::cuda::CUDAStream stream;
    c10::cuda::CUDAStreamGuard stream_guard;  // capture may not use the default stream
    at::cuda::CUDAGraph graph;
};

bool StepGraph::supported(const at::Device& device) {
    const char* wanted = std::getenv("AMALGAM_CUDA_GRAPHS");
    return device.is_cuda() && !(wanted && std::string(wanted) == "0");
}

StepGraph::StepGraph(const at::Device& device, const std::function<void()>& step) {
    if (!supported(device)) throw std::invalid_argument("only CUDA steps can be recorded as a graph");
    const at::Device indexed = Recording::indexed(device);
    // The work queued so far (prefill, the first choice) is on the default stream.
    c10::cuda::getCurrentCUDAStream(indexed.index()).synchronize();
    recording_ = std::make_unique<Recording>(indexed);
    step();  // warm-up: the libraries' lazy set-up happens outside the capture
    recording_->stream.synchronize();
    recording_->graph.capture_begin();
    step();
    recording_->graph.capture_end();
}

StepGraph::~StepGraph() {
    if (recording_) recording_->stream.synchronize();
}

void StepGraph::replay() { recording_->graph.replay(); }

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
