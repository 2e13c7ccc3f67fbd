#include "core/util/simd_level.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace amalgam {

SimdLevel cpu_simd_level() {
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx512f")) return SimdLevel::Avx512;
    if (__builtin_cpu_supports("avx2")) return SimdLevel::Avx2;
#endif
    return SimdLevel::Baseline;
}

SimdLevel simd_level() {
    const SimdLevel best = cpu_simd_level();
    const char* forced = std::getenv("AMALGAM_SIMD");
    if (!forced || !*forced) return best;
    const std::optional<SimdLevel> level = simd_level_names.find(forced);
    if (!level) throw std::runtime_error(std::string("AMALGAM_SIMD=") + forced + " is not a level (" + simd_level_names.choices() + ")");
    if (static_cast<int>(*level) > static_cast<int>(best))
        throw std::runtime_error(std::string("AMALGAM_SIMD=") + forced + ", but this CPU runs at most " + to_string(best));
    return *level;
}

}  // namespace amalgam
