#pragma once

#include <string>

#include <ATen/ATen.h>

#include "core/model_io/safetensors.h"

namespace amalgam {

/** A copy in `dtype` of a mapped floating-point tensor, converted once from the file's type
 *  (the mapping goes away with its file). */
at::Tensor tensor_from_view(const TensorView& view, at::ScalarType dtype = at::kFloat);

/** A tensor's values as bytes of `dtype` (a floating type) to write to a safetensors file under `name`. */
TensorData tensor_data(const std::string& name, const at::Tensor& t, DType dtype = DType::F32);

/** The safetensors type of a floating ATen type. */
DType safetensors_dtype(at::ScalarType t);

}  // namespace amalgam
