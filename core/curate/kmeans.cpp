#include "core/curate/kmeans.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "core/curate/lloyd_kernel.h"
#include "core/util/simd_level.h"

namespace amalgam {
namespace {

/** A seeded stream (splitmix64) that means the same on every platform, which the standard
 *  library's distributions do not promise. */
class Random {
public:
    explicit Random(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  ///< [0, 1)
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

private:
    std::uint64_t state_;
};

lloyd_kernel::AssignFunction assign_function() {
    switch (simd_level()) {
#if defined(__x86_64__)
        case SimdLevel::Avx512: return lloyd_kernel::avx512::assign;
        case SimdLevel::Avx2: return lloyd_kernel::avx2::assign;
#endif
        default: return lloyd_kernel::baseline::assign;
    }
}

/** One assignment pass, the points cut into blocks by their count alone (not the thread count)
 *  and each block's sums added in block order, so the totals are the same on every machine. */
struct Pass {
    std::vector<std::int32_t> labels;
    std::vector<double> sums;          ///< [k, dim]
    std::vector<std::int64_t> counts;  ///< [k]
    double objective = 0;
};

Pass assign_all(const std::vector<float>& points, std::size_t dim, const std::vector<float>& centroids, lloyd_kernel::AssignFunction assign) {
    const std::size_t n = points.size() / dim, k = centroids.size() / dim;
    std::vector<float> norms(k);
    for (std::size_t j = 0; j < k; ++j) {
        double s = 0;
        for (std::size_t t = 0; t < dim; ++t) s += double(centroids[j * dim + t]) * centroids[j * dim + t];
        norms[j] = static_cast<float>(s);
    }
    // Blocks of at least 1024 points, and no more blocks' sums than fit in 64 MiB.
    const std::size_t max_blocks = std::max<std::size_t>(1, (std::size_t{64} << 20) / (k * dim * sizeof(double)));
    const std::size_t block = std::max<std::size_t>(1024, (n + max_blocks - 1) / max_blocks);
    const std::size_t blocks = (n + block - 1) / block;

    Pass pass;
    pass.labels.resize(n);
    std::vector<float> distances(n);
    std::vector<double> block_sums(blocks * k * dim, 0.0), block_objective(blocks, 0.0);
    std::vector<std::int64_t> block_counts(blocks * k, 0);
    const auto count = static_cast<std::int64_t>(blocks);
#pragma omp parallel for schedule(dynamic)
    for (std::int64_t b = 0; b < count; ++b) {
        const std::size_t begin = static_cast<std::size_t>(b) * block, end = std::min(n, begin + block);
        assign(points.data() + begin * dim, end - begin, dim, centroids.data(), norms.data(), k, pass.labels.data() + begin,
               distances.data() + begin, block_sums.data() + b * k * dim, block_counts.data() + b * k);
        double objective = 0;
        for (std::size_t i = begin; i < end; ++i) objective += distances[i];
        block_objective[b] = objective;
    }
    pass.sums.assign(k * dim, 0.0);
    pass.counts.assign(k, 0);
    for (std::size_t b = 0; b < blocks; ++b) {
        for (std::size_t e = 0; e < k * dim; ++e) pass.sums[e] += block_sums[b * k * dim + e];
        for (std::size_t j = 0; j < k; ++j) pass.counts[j] += block_counts[b * k + j];
        pass.objective += block_objective[b];
    }
    return pass;
}

/** Gives every empty cluster half of a cluster drawn with probability growing with its size,
 *  the two centroids nudged apart, as faiss's split_clusters does. */
void split_empty(std::vector<float>& centroids, std::vector<std::int64_t>& counts, std::size_t dim, std::size_t n, Random& random) {
    const std::size_t k = counts.size();
    constexpr float kNudge = 1.0f / 1024.0f;
    for (std::size_t empty = 0; empty < k; ++empty) {
        if (counts[empty] != 0) continue;
        std::size_t donor = 0;
        for (;; donor = (donor + 1) % k) {
            const double p = (static_cast<double>(counts[donor]) - 1.0) / static_cast<double>(n - k);
            if (random.uniform() < p) break;
        }
        float* to = &centroids[empty * dim];
        float* from = &centroids[donor * dim];
        std::copy(from, from + dim, to);
        for (std::size_t t = 0; t < dim; ++t) {
            const float sign = t % 2 == 0 ? 1.0f : -1.0f;
            to[t] *= 1 + sign * kNudge;
            from[t] *= 1 - sign * kNudge;
        }
        counts[empty] = counts[donor] / 2;
        counts[donor] -= counts[empty];
    }
}

}  // namespace

std::vector<int> nearest_centroids(const std::vector<float>& points, std::size_t dim, const std::vector<float>& centroids) {
    if (dim == 0 || points.size() % dim || centroids.empty() || centroids.size() % dim)
        throw std::invalid_argument("nearest_centroids: points and centroids must be whole rows of the dimension");
    const Pass pass = assign_all(points, dim, centroids, assign_function());
    return {pass.labels.begin(), pass.labels.end()};
}

KMeansResult lloyd(const std::vector<float>& points, std::size_t dim, std::vector<float> centroids, int iterations, std::uint64_t seed) {
    if (dim == 0 || points.size() % dim || centroids.empty() || centroids.size() % dim)
        throw std::invalid_argument("lloyd: points and centroids must be whole rows of the dimension");
    const std::size_t n = points.size() / dim, k = centroids.size() / dim;
    if (k > n) throw std::invalid_argument("lloyd: more centroids than points");
    const lloyd_kernel::AssignFunction assign = assign_function();
    Random random(seed);
    Pass pass = assign_all(points, dim, centroids, assign);  // always the pass of `centroids`
    for (int iteration = 0; iteration < iterations; ++iteration) {
        std::vector<float> moved(k * dim);
        for (std::size_t j = 0; j < k; ++j)
            if (pass.counts[j] > 0)
                for (std::size_t t = 0; t < dim; ++t)
                    moved[j * dim + t] = static_cast<float>(pass.sums[j * dim + t] / static_cast<double>(pass.counts[j]));
        split_empty(moved, pass.counts, dim, n, random);
        if (moved == centroids) break;  // a fixed point: further iterations change nothing
        centroids = std::move(moved);
        pass = assign_all(points, dim, centroids, assign);
    }
    KMeansResult result;
    result.clusters = static_cast<int>(k);
    result.assignment.assign(pass.labels.begin(), pass.labels.end());
    result.centroids = std::move(centroids);
    result.objective = pass.objective;
    return result;
}

KMeansResult kmeans(const std::vector<float>& points, std::size_t dim, const KMeansOptions& options, Progress& progress) {
    if (dim == 0 || points.size() % dim) throw std::invalid_argument("kmeans: points do not fit the dimension");
    if (options.clusters < 1 || options.restarts < 1 || options.iterations < 1)
        throw std::invalid_argument("kmeans: clusters, restarts and iterations must be at least 1");
    const std::size_t n = points.size() / dim;
    KMeansResult best;
    if (n == 0) return best;
    const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(options.clusters), n);

    progress.start("cluster", static_cast<std::size_t>(options.restarts));
    std::vector<std::size_t> order(n);
    for (int restart = 0; restart < options.restarts; ++restart) {
        Random random(options.seed + 1000003ULL * static_cast<std::uint64_t>(restart));
        // k distinct points, by the first k steps of a Fisher-Yates shuffle.
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::vector<float> start(k * dim);
        for (std::size_t j = 0; j < k; ++j) {
            std::swap(order[j], order[j + random.below(n - j)]);
            std::copy(points.begin() + order[j] * dim, points.begin() + (order[j] + 1) * dim, start.begin() + j * dim);
        }
        KMeansResult run = lloyd(points, dim, std::move(start), options.iterations, random.next());
        if (restart == 0 || run.objective < best.objective) best = std::move(run);
        progress.advance(static_cast<std::size_t>(restart + 1));
    }
    progress.finish();
    return best;
}

}  // namespace amalgam
