#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace amalgam {

/** Element types of safetensors files (names as the format spells them). */
enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

std::size_t dtype_size(DType t);
const char* dtype_name(DType t);               // "F32", "BF16", ...
bool parse_dtype(const std::string& name, DType& out);

/** IEEE half and bfloat16 to and from float (round to nearest even). */
float half_to_float(std::uint16_t h);
std::uint16_t float_to_half(float f);
float bfloat16_to_float(std::uint16_t b);
std::uint16_t float_to_bfloat16(float f);

}  // namespace amalgam
