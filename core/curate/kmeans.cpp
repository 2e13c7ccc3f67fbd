#include "core/curate/kmeans.h"

#include <algorithm>
#include <stdexcept>

#include <faiss/Clustering.h>
#include "core/curate/nearest_centroid_index.h"

namespace amalgam {

using FaissId = faiss::Index::idx_t;

KMeansResult kmeans(const std::vector<float>& points, std::size_t dim, const KMeansOptions& options) {
    if (dim == 0 || points.size() % dim) throw std::invalid_argument("kmeans: points do not fit the dimension");
    if (options.clusters < 1 || options.restarts < 1 || options.iterations < 1)
        throw std::invalid_argument("kmeans: clusters, restarts and iterations must be at least 1");
    const std::size_t n = points.size() / dim;
    KMeansResult result;
    if (n == 0) return result;
    result.clusters = static_cast<int>(std::min<std::size_t>(options.clusters, n));

    faiss::ClusteringParameters params;
    params.niter = options.iterations;
    params.nredo = options.restarts;
    params.seed = static_cast<int>(options.seed & 0x7fffffff);
    params.min_points_per_centroid = 1;  // small datasets are fine: no warning
    params.max_points_per_centroid = static_cast<int>(n);  // train on every point, never a sample
    params.verbose = false;
    faiss::Clustering clustering(static_cast<int>(dim), result.clusters, params);
    NearestCentroidIndex index(static_cast<FaissId>(dim));
    clustering.train(static_cast<FaissId>(n), points.data(), index);
    result.centroids = clustering.centroids;

    std::vector<float> distances(n);
    std::vector<FaissId> labels(n);
    index.search(static_cast<FaissId>(n), points.data(), 1, distances.data(), labels.data());
    result.assignment.assign(labels.begin(), labels.end());
    for (float d : distances) result.objective += d;
    return result;
}

}  // namespace amalgam
