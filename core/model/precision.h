#pragma once

#include <string>

#include <ATen/ATen.h>

#include "core/contract/precision.h"

namespace amalgam {

/** The type `p` means on `device`: auto is bfloat16 on CUDA and float32 on the CPU. Throws
 *  std::runtime_error where this libtorch cannot compute in that type on that device. */
at::ScalarType resolve_precision(Precision p, at::Device device);

/** Where half precision is widened for accuracy (norms, softmax, losses, adapters): float32,
 *  or float64 for a float64 model (gradient checks). */
at::ScalarType widened_type(at::ScalarType t);

/** "float32", "bfloat16", "float16", "float64" (or the ATen name of another type). */
std::string dtype_name(at::ScalarType t);

}  // namespace amalgam
