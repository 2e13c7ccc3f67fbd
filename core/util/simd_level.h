#pragma once

#include "core/util/name_table.h"

namespace amalgam {

/** The x86-64 vector instruction sets Amalgam's own kernels are built for. */
enum class SimdLevel { Baseline, Avx2, Avx512 };
inline constexpr NameTable<SimdLevel, 3> simd_level_names{
    "SIMD level", {{{SimdLevel::Baseline, "baseline"}, {SimdLevel::Avx2, "avx2"}, {SimdLevel::Avx512, "avx512"}}}};
constexpr const auto& names(SimdLevel) { return simd_level_names; }

/** The best level this CPU runs. */
SimdLevel cpu_simd_level();

/** The level kernels use: the CPU's best, or the one the environment variable AMALGAM_SIMD
 *  names (avx512, avx2 or baseline), for checking that results do not depend on it. Throws
 *  std::runtime_error for an unknown name or a level this CPU lacks. */
SimdLevel simd_level();

}  // namespace amalgam
