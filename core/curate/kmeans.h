#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/util/progress.h"

namespace amalgam {

struct KMeansOptions {
    int clusters = 10;       ///< k; at most the number of points
    int restarts = 10;       ///< runs from different seeds; the lowest objective wins
    int iterations = 25;     ///< Lloyd iterations per run
    std::uint64_t seed = 0;
};

struct KMeansResult {
    int clusters = 0;                 ///< k actually used
    std::vector<int> assignment;      ///< cluster of each point
    std::vector<float> centroids;     ///< clusters x dim, row-major
    double objective = 0;             ///< sum of squared distances to the assigned centroid
};

/** k-means with faiss over every point (no subsampling), deterministic for a seed. Reports
 *  each finished restart to `progress` as stage "cluster". */
KMeansResult kmeans(const std::vector<float>& points, std::size_t dim, const KMeansOptions& options,
                    Progress& progress);

}  // namespace amalgam
