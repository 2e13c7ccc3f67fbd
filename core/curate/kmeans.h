#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/util/progress.h"

namespace amalgam {

struct KMeansOptions {
    int clusters = 10;       ///< k; at most the number of points
    int restarts = 10;       ///< runs from different seeds; the lowest objective wins
    int iterations = 25;     ///< Lloyd iterations per run (fewer where a run stops changing)
    std::uint64_t seed = 0;
};

struct KMeansResult {
    int clusters = 0;                 ///< k actually used
    std::vector<int> assignment;      ///< cluster of each point
    std::vector<float> centroids;     ///< clusters x dim, row-major
    double objective = 0;             ///< sum of squared distances to the assigned centroid
};

/** k-means over every point (no subsampling): each restart starts from k distinct points drawn
 *  with its own seed and runs Lloyd iterations; the lowest objective wins. The same seed gives
 *  the same bits on every x86-64 CPU, whatever its SIMD level and core count. Reports each
 *  finished restart to `progress` as stage "cluster". */
KMeansResult kmeans(const std::vector<float>& points, std::size_t dim, const KMeansOptions& options, Progress& progress);

/** Lloyd iterations from the given centroids [k, dim]: assign every point to its nearest
 *  centroid and move each centroid to the mean of its points, in one read of the points per
 *  iteration. An emptied cluster takes half of a large one, split as faiss splits it (`seed`
 *  picks which). Stops early once the centroids no longer change. The result's assignment and
 *  objective are those of the returned centroids. */
KMeansResult lloyd(const std::vector<float>& points, std::size_t dim, std::vector<float> centroids, int iterations,
                   std::uint64_t seed = 0);

/** Each point's nearest centroid of [k, dim] (the first on a tie), as a Lloyd pass assigns it:
 *  how points left out of the clustering join its clusters. */
std::vector<int> nearest_centroids(const std::vector<float>& points, std::size_t dim, const std::vector<float>& centroids);

}  // namespace amalgam
