#pragma once

#include <cstddef>
#include <cstdint>

namespace amalgam::lloyd_kernel {

/** One Lloyd pass over points [n, dim]: each point's nearest of k centroids [k, dim] (the first
 *  on a tie), its squared distance, and per centroid the sum (in double) and count of the
 *  points it won, added to `sums` [k, dim] and `counts` [k]. `centroid_norms` are the squared
 *  norms of the centroids.
 *
 *  Built once per SIMD level (lloyd_kernel.cpp compiled with different flags). Every level
 *  adds in the same order, sixteen lanes and then a fixed tree, without fused multiply-adds,
 *  so all of them give the same bits. */
using AssignFunction = void (*)(const float* points, std::size_t n, std::size_t dim, const float* centroids,
                                const float* centroid_norms, std::size_t k, std::int32_t* labels, float* distances,
                                double* sums, std::int64_t* counts);

namespace baseline { void assign(const float*, std::size_t, std::size_t, const float*, const float*, std::size_t, std::int32_t*, float*, double*, std::int64_t*); }
namespace avx2 { void assign(const float*, std::size_t, std::size_t, const float*, const float*, std::size_t, std::int32_t*, float*, double*, std::int64_t*); }
namespace avx512 { void assign(const float*, std::size_t, std::size_t, const float*, const float*, std::size_t, std::int32_t*, float*, double*, std::int64_t*); }

}  // namespace amalgam::lloyd_kernel
