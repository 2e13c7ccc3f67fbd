#pragma once

#include "core/contract/device.h"
#include "core/util/name_table.h"

namespace amalgam {

/** The floating type a model's weights and activations use, as a user names it (--dtype):
 *  auto is bfloat16 on CUDA and float32 on the CPU; float64 is for gradient checks. */
enum class Precision { Auto, Float32, BFloat16, Float16, Float64 };
inline constexpr NameTable<Precision, 5> precision_names{"dtype",
                                                        {{{Precision::Auto, "auto"},
                                                          {Precision::Float32, "float32"},
                                                          {Precision::BFloat16, "bfloat16"},
                                                          {Precision::Float16, "float16"},
                                                          {Precision::Float64, "float64"}}}};
constexpr const auto& names(Precision) { return precision_names; }

/** The type `p` means on a device of `kind`: auto is bfloat16 on CUDA and float32 on the CPU. */
constexpr Precision resolved(Precision p, DeviceKind kind) {
    if (p != Precision::Auto) return p;
    return kind == DeviceKind::Cuda ? Precision::BFloat16 : Precision::Float32;
}

}  // namespace amalgam
