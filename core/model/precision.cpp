#include "core/model/precision.h"

#include <sstream>
#include <stdexcept>

namespace amalgam {
namespace {

/** Whether this libtorch has matrix products of `type` on the CPU (float16 has none in 1.13). */
bool cpu_computes_in(at::ScalarType type) {
    try {
        at::linear(at::ones({1, 2}, type), at::ones({2, 2}, type));
        return true;
    } catch (const c10::Error&) {
        return false;
    }
}

}  // namespace

at::ScalarType resolve_precision(Precision p, at::Device device) {
    switch (resolved(p, device.is_cuda() ? DeviceKind::Cuda : DeviceKind::Cpu)) {
        case Precision::Auto: break;
        case Precision::Float32: return at::kFloat;
        case Precision::BFloat16: return at::kBFloat16;
        case Precision::Float16:
            if (device.is_cpu() && !cpu_computes_in(at::kHalf))
                throw std::runtime_error("this libtorch cannot compute in float16 on the CPU; use bfloat16 or float32");
            return at::kHalf;
        case Precision::Float64: return at::kDouble;
    }
    throw std::logic_error("unknown precision");
}

at::ScalarType widened_type(at::ScalarType t) { return t == at::kDouble ? at::kDouble : at::kFloat; }

std::string dtype_name(at::ScalarType t) {
    switch (t) {
        case at::kFloat: return "float32";
        case at::kBFloat16: return "bfloat16";
        case at::kHalf: return "float16";
        case at::kDouble: return "float64";
        default: {
            std::ostringstream name;
            name << t;
            return name.str();
        }
    }
}

}  // namespace amalgam
