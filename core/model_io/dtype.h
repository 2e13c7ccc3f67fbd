#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/util/name_table.h"

namespace amalgam {

/** Element types of safetensors files (names as the format spells them). */
enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };
inline constexpr NameTable<DType, 10> dtype_names{"safetensors dtype",
                                                 {{{DType::F64, "F64"},
                                                   {DType::F32, "F32"},
                                                   {DType::F16, "F16"},
                                                   {DType::BF16, "BF16"},
                                                   {DType::I64, "I64"},
                                                   {DType::I32, "I32"},
                                                   {DType::I16, "I16"},
                                                   {DType::I8, "I8"},
                                                   {DType::U8, "U8"},
                                                   {DType::Bool, "BOOL"}}}};
constexpr const auto& names(DType) { return dtype_names; }

std::size_t dtype_size(DType t);

/** IEEE half and bfloat16 to and from float (round to nearest even). */
float half_to_float(std::uint16_t h);
std::uint16_t float_to_half(float f);
float bfloat16_to_float(std::uint16_t b);
std::uint16_t float_to_bfloat16(float f);

}  // namespace amalgam
