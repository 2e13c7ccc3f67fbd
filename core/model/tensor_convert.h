#pragma once

#include <string>

#include <ATen/ATen.h>

#include "core/model/safetensors.h"

namespace amalgam {

/** A float32 copy of a mapped floating-point tensor (the mapping goes away with its file). */
at::Tensor tensor_from_view(const TensorView& view);

/** A tensor's values as float32 bytes to write to a safetensors file under `name`. */
TensorData tensor_data(const std::string& name, const at::Tensor& t);

}  // namespace amalgam
