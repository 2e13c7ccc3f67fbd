#include "core/model_io/dtype.h"

#include <cmath>
#include <cstring>

namespace amalgam {
namespace {

std::uint32_t bits_of(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

float float_of(std::uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

}  // namespace

std::size_t dtype_size(DType t) {
    switch (t) {
        case DType::F64: case DType::I64: return 8;
        case DType::F32: case DType::I32: return 4;
        case DType::F16: case DType::BF16: case DType::I16: return 2;
        case DType::I8: case DType::U8: case DType::Bool: return 1;
    }
    return 0;
}

float half_to_float(std::uint16_t h) {
    std::uint32_t sign = (h & 0x8000u) << 16, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
    if (exponent == 0) {
        if (mantissa == 0) return float_of(sign);
        float value = std::ldexp(static_cast<float>(mantissa), -24);  // subnormal
        return sign ? -value : value;
    }
    if (exponent == 31) return float_of(sign | 0x7F800000u | (mantissa << 13));  // inf or nan
    return float_of(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

std::uint16_t float_to_half(float f) {
    std::uint32_t u = bits_of(f);
    std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000);
    std::uint32_t abs = u & 0x7FFFFFFF;
    if (abs >= 0x7F800000) return sign | 0x7C00 | (abs > 0x7F800000 ? 0x200 : 0);  // inf, nan
    if (abs >= 0x477FF000) return sign | 0x7C00;                                    // overflow to inf
    if (abs < 0x38800000) {                                                         // subnormal half or zero
        float value = float_of(abs);
        return sign | static_cast<std::uint16_t>(std::nearbyint(value * 16777216.0f));  // value / 2^-24
    }
    std::uint32_t rounded = abs + 0xFFF + ((abs >> 13) & 1);  // round to nearest even on the 13 dropped bits
    return sign | static_cast<std::uint16_t>((rounded - 0x38000000) >> 13);
}

float bfloat16_to_float(std::uint16_t b) { return float_of(static_cast<std::uint32_t>(b) << 16); }

std::uint16_t float_to_bfloat16(float f) {
    std::uint32_t u = bits_of(f);
    if ((u & 0x7FFFFFFF) > 0x7F800000) return static_cast<std::uint16_t>((u >> 16) | 0x40);  // keep nan a nan
    return static_cast<std::uint16_t>((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
}

}  // namespace amalgam
