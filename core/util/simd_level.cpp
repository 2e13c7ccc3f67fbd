#include "core/util/simd_level.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace amalgam {

const char* to_string(SimdLevel level) {
    switch (level) {
        case SimdLevel::Baseline: return "baseline";
        case SimdLevel::Avx2: return "avx2";
        case SimdLevel::Avx512: return "avx512";
    }
    return "?";
}

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
    for (SimdLevel level : {SimdLevel::Baseline, SimdLevel::Avx2, SimdLevel::Avx512}) {
        if (std::string(forced) != to_string(level)) continue;
        if (static_cast<int>(level) > static_cast<int>(best))
            throw std::runtime_error(std::string("AMALGAM_SIMD=") + forced + ", but this CPU runs at most " + to_string(best));
        return level;
    }
    throw std::runtime_error(std::string("AMALGAM_SIMD=") + forced + " is not a level (avx512, avx2 or baseline)");
}

}  // namespace amalgam
