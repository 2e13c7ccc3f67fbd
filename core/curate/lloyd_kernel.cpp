// The Lloyd assignment pass, compiled once per SIMD level with AMALGAM_SIMD_NAMESPACE naming
// the level (see core/CMakeLists.txt). It includes no header with inline functions: a copy
// built for AVX-512 must never be the one the linker keeps for other code.
#include "core/curate/lloyd_kernel.h"

namespace amalgam::lloyd_kernel::AMALGAM_SIMD_NAMESPACE {
namespace {

// Sixteen float lanes, held in registers of the level's native width (AMALGAM_SIMD_WIDTH
// floats: 16 at AVX-512, 8 at AVX2, 4 at SSE2); lane i always sums the same products.
constexpr std::size_t kLanes = 16, kWidth = AMALGAM_SIMD_WIDTH, kParts = kLanes / kWidth;
typedef float Native __attribute__((vector_size(kWidth * sizeof(float))));
typedef float UnalignedNative __attribute__((vector_size(kWidth * sizeof(float)), aligned(4)));

struct Lanes {
    Native part[kParts] = {};
};

inline void add_products(Lanes& acc, const float* x, const float* c) {
    for (std::size_t p = 0; p < kParts; ++p)
        acc.part[p] += *reinterpret_cast<const UnalignedNative*>(x + p * kWidth) * *reinterpret_cast<const UnalignedNative*>(c + p * kWidth);
}

/** The lanes added in a fixed tree: halves, then quarters, down to one. */
inline float reduce(const Lanes& v) {
    float a[kLanes];
    for (std::size_t p = 0; p < kParts; ++p)
        for (std::size_t i = 0; i < kWidth; ++i) a[p * kWidth + i] = v.part[p][i];
    for (std::size_t width = kLanes / 2; width >= 1; width /= 2)
        for (std::size_t i = 0; i < width; ++i) a[i] = a[i] + a[i + width];
    return a[0];
}

/** Dot products of x with `count` (1 to 4) centroids; the dims past the last full set of
 *  sixteen are added one by one after the lanes. */
template <std::size_t count>
inline void dots(const float* x, const float* const* c, std::size_t dim, float* out) {
    const std::size_t full = dim - dim % kLanes;
    Lanes acc[count];
    for (std::size_t t = 0; t < full; t += kLanes)
        for (std::size_t q = 0; q < count; ++q) add_products(acc[q], x + t, c[q] + t);
    for (std::size_t q = 0; q < count; ++q) {
        float tail = 0;
        for (std::size_t t = full; t < dim; ++t) tail += x[t] * c[q][t];
        out[q] = reduce(acc[q]) + tail;
    }
}

}  // namespace

void assign(const float* points, std::size_t n, std::size_t dim, const float* centroids, const float* centroid_norms, std::size_t k,
            std::int32_t* labels, float* distances, double* sums, std::int64_t* counts) {
    for (std::size_t i = 0; i < n; ++i) {
        const float* x = points + i * dim;
        float norm;
        dots<1>(x, &x, dim, &norm);
        float best = 0;
        std::size_t best_j = 0;
        for (std::size_t j = 0; j < k; j += 4) {
            const std::size_t count = k - j < 4 ? k - j : 4;
            const float* c[4];
            for (std::size_t q = 0; q < count; ++q) c[q] = centroids + (j + q) * dim;
            float dot[4];
            switch (count) {
                case 4: dots<4>(x, c, dim, dot); break;
                case 3: dots<3>(x, c, dim, dot); break;
                case 2: dots<2>(x, c, dim, dot); break;
                default: dots<1>(x, c, dim, dot); break;
            }
            for (std::size_t q = 0; q < count; ++q) {
                const float distance = norm + centroid_norms[j + q] - 2 * dot[q];
                if (j + q == 0 || distance < best) {
                    best = distance;
                    best_j = j + q;
                }
            }
        }
        labels[i] = static_cast<std::int32_t>(best_j);
        distances[i] = best < 0 ? 0 : best;  // rounding can take an exact match just below zero
        double* sum = sums + best_j * dim;
        for (std::size_t t = 0; t < dim; ++t) sum[t] += x[t];
        ++counts[best_j];
    }
}

}  // namespace amalgam::lloyd_kernel::AMALGAM_SIMD_NAMESPACE
