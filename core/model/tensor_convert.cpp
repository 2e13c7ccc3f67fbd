#include "core/model/tensor_convert.h"

#include <stdexcept>

namespace amalgam {
namespace {

at::ScalarType scalar_type(const TensorView& view) {
    switch (view.dtype) {
        case DType::F32: return at::kFloat;
        case DType::F16: return at::kHalf;
        case DType::BF16: return at::kBFloat16;
        case DType::F64: return at::kDouble;
        default: throw std::runtime_error(view.file + ": tensor '" + view.name + "' is " + dtype_name(view.dtype) + ", not a floating-point type");
    }
}

}  // namespace

at::Tensor tensor_from_view(const TensorView& view, at::ScalarType dtype) {
    at::Tensor mapped = at::from_blob(const_cast<unsigned char*>(view.data), view.shape, at::TensorOptions().dtype(scalar_type(view)));
    return mapped.to(dtype, /*non_blocking=*/false, /*copy=*/true);
}

TensorData tensor_data(const std::string& name, const at::Tensor& t) {
    at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous();
    return {name, DType::F32, c.sizes().vec(), std::string(static_cast<const char*>(c.data_ptr()), c.numel() * sizeof(float))};
}

}  // namespace amalgam
