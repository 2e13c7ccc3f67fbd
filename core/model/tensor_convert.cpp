#include "core/model/tensor_convert.h"

#include <optional>
#include <stdexcept>

namespace amalgam {
namespace {

/** The ATen type of a floating safetensors type; nullopt for any other. */
std::optional<at::ScalarType> floating_type(DType t) {
    switch (t) {
        case DType::F32: return at::kFloat;
        case DType::F16: return at::kHalf;
        case DType::BF16: return at::kBFloat16;
        case DType::F64: return at::kDouble;
        default: return std::nullopt;
    }
}

}  // namespace

at::Tensor tensor_from_view(const TensorView& view, at::ScalarType dtype) {
    auto type = floating_type(view.dtype);
    if (!type) throw std::runtime_error(view.file + ": tensor '" + view.name + "' is " + to_string(view.dtype) + ", not a floating-point type");
    at::Tensor mapped = at::from_blob(const_cast<unsigned char*>(view.data), view.shape, at::TensorOptions().dtype(*type));
    return mapped.to(dtype, /*non_blocking=*/false, /*copy=*/true);
}

DType safetensors_dtype(at::ScalarType t) {
    for (DType d : {DType::F32, DType::F16, DType::BF16, DType::F64})
        if (floating_type(d) == t) return d;
    throw std::invalid_argument("no safetensors floating type for this tensor type");
}

TensorData tensor_data(const std::string& name, const at::Tensor& t, DType dtype) {
    auto type = floating_type(dtype);
    if (!type) throw std::invalid_argument("tensor '" + name + "': " + to_string(dtype) + " is not a floating-point type");
    at::Tensor c = t.detach().to(at::kCPU, *type).contiguous();
    return {name, dtype, c.sizes().vec(), std::string(static_cast<const char*>(c.data_ptr()), c.nbytes())};
}

}  // namespace amalgam
