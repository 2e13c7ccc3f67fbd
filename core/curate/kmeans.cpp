#include "core/curate/kmeans.h"

#include <algorithm>
#include <stdexcept>

#include <faiss/Clustering.h>
#include "core/curate/nearest_centroid_index.h"

namespace amalgam {

using FaissId = faiss::Index::idx_t;

KMeansResult kmeans(const std::vector<float>& points, std::size_t dim, const KMeansOptions& options,
                    Progress& progress) {
    if (dim == 0 || points.size() % dim) throw std::invalid_argument("kmeans: points do not fit the dimension");
    if (options.clusters < 1 || options.restarts < 1 || options.iterations < 1)
        throw std::invalid_argument("kmeans: clusters, restarts and iterations must be at least 1");
    const std::size_t n = points.size() / dim;
    KMeansResult best;
    if (n == 0) return best;
    const int k = static_cast<int>(std::min<std::size_t>(options.clusters, n));

    // One faiss run per restart (rather than faiss's nredo) so that progress can be reported;
    // the lowest objective wins, as with nredo.
    progress.start("cluster", static_cast<std::size_t>(options.restarts));
    for (int restart = 0; restart < options.restarts; ++restart) {
        faiss::ClusteringParameters params;
        params.niter = options.iterations;
        params.nredo = 1;
        params.seed = static_cast<int>((options.seed + 1000003ULL * restart) & 0x7fffffff);
        params.min_points_per_centroid = 1;                    // small datasets are fine: no warning
        params.max_points_per_centroid = static_cast<int>(n);  // train on every point, never a sample
        faiss::Clustering clustering(static_cast<int>(dim), k, params);
        NearestCentroidIndex index(static_cast<FaissId>(dim));
        clustering.train(static_cast<FaissId>(n), points.data(), index);
        double objective = clustering.iteration_stats.back().obj;  // what faiss's nredo compares
        if (restart == 0 || objective < best.objective) {
            best.objective = objective;
            best.centroids = clustering.centroids;
        }
        progress.advance(static_cast<std::size_t>(restart + 1));
    }

    // Assign every point to the winning centroids.
    NearestCentroidIndex index(static_cast<FaissId>(dim));
    index.add(k, best.centroids.data());
    std::vector<float> distances(n);
    std::vector<FaissId> labels(n);
    index.search(static_cast<FaissId>(n), points.data(), 1, distances.data(), labels.data());
    best.clusters = k;
    best.assignment.assign(labels.begin(), labels.end());
    best.objective = 0;
    for (float d : distances) best.objective += d;
    progress.finish();
    return best;
}

}  // namespace amalgam
