#pragma once

#include <cstdint>

namespace amalgam {

/** A 64-bit mix of a run's seed and a position in it (splitmix64's finaliser): generators seeded
 *  from (seed, step, micro-batch) make the step number the whole random state of a run, so a
 *  resumed run draws exactly what an uninterrupted one would. */
inline std::uint64_t seed_mix(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
    std::uint64_t z = seed ^ (a * 0x9E3779B97F4A7C15ULL) ^ (b * 0xC2B2AE3D27D4EB4FULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace amalgam
