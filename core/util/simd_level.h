#pragma once

namespace amalgam {

/** The x86-64 vector instruction sets Amalgam's own kernels are built for. */
enum class SimdLevel { Baseline, Avx2, Avx512 };

const char* to_string(SimdLevel level);  ///< "baseline", "avx2", "avx512"

/** The best level this CPU runs. */
SimdLevel cpu_simd_level();

/** The level kernels use: the CPU's best, or the one the environment variable AMALGAM_SIMD
 *  names (avx512, avx2 or baseline), for checking that results do not depend on it. Throws
 *  std::runtime_error for an unknown name or a level this CPU lacks. */
SimdLevel simd_level();

}  // namespace amalgam
