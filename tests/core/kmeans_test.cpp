#include <cstdlib>
#include <limits>
#include <random>
#include <set>

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <gtest/gtest.h>
#include <omp.h>

#include "core/curate/kmeans.h"
#include "core/util/simd_level.h"

namespace amalgam {
namespace {

NoProgress quiet;

/** `per_blob` points around each of `centres` (dim 8), noise 0.05. */
std::vector<float> blobs(int centres, int per_blob, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    std::vector<float> points;
    for (int c = 0; c < centres; ++c)
        for (int i = 0; i < per_blob; ++i)
            for (int d = 0; d < 8; ++d) points.push_back((d == c ? 5.0f : 0.0f) + noise(rng));
    return points;
}

TEST(KMeans, RecoversSeparatedBlobs) {
    auto points = blobs(4, 500, 1);
    auto r = kmeans(points, 8, {4, 3, 25, 0}, quiet);
    ASSERT_EQ(r.clusters, 4);
    ASSERT_EQ(r.assignment.size(), 2000u);
    std::set<int> labels;
    for (int c = 0; c < 4; ++c) {
        int first = r.assignment[c * 500];
        labels.insert(first);
        for (int i = 0; i < 500; ++i) ASSERT_EQ(r.assignment[c * 500 + i], first) << "point " << c * 500 + i;
    }
    EXPECT_EQ(labels.size(), 4u);
    EXPECT_LT(r.objective, 2000 * 8 * 0.05 * 0.05 * 1.5);
}

TEST(KMeans, SameSeedSameResult) {
    auto points = blobs(5, 300, 2);
    auto a = kmeans(points, 8, {3, 2, 10, 7}, quiet);
    auto b = kmeans(points, 8, {3, 2, 10, 7}, quiet);
    EXPECT_EQ(a.assignment, b.assignment);
    EXPECT_EQ(a.centroids, b.centroids);
}

TEST(KMeans, UsesEveryPointNotASample) {
    // 3000 points in 2 blobs with k = 2: faiss would train on 2 * 256 points by default.
    // The centroid of blob 0 equals the mean of all its points only when all were used.
    auto points = blobs(2, 1500, 3);
    auto r = kmeans(points, 8, {2, 1, 25, 0}, quiet);
    int cluster = r.assignment[0];
    for (int d = 0; d < 8; ++d) {
        double mean = 0;
        for (int i = 0; i < 1500; ++i) mean += points[i * 8 + d];
        mean /= 1500;
        EXPECT_NEAR(r.centroids[cluster * 8 + d], mean, 1e-4);
    }
}

TEST(KMeans, RestartsKeepTheLowestObjective) {
    // Overlapping blobs and too few clusters: runs from different seeds end in different optima.
    std::mt19937 rng(4);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> points(3000 * 8);
    for (float& v : points) v = g(rng);
    double single = kmeans(points, 8, {5, 1, 10, 11}, quiet).objective;
    double best_of_six = kmeans(points, 8, {5, 6, 10, 11}, quiet).objective;  // its first run is the single one
    EXPECT_LE(best_of_six, single);
}

TEST(KMeans, ReportsEachRestart) {
    struct Counter final : Progress {
        void start(const std::string& stage, std::size_t total) override { EXPECT_EQ(stage, "cluster"); EXPECT_EQ(total, 3u); }
        void advance(std::size_t done) override { last = done; }
        void finish() override { finished = true; }
        std::size_t last = 0;
        bool finished = false;
    } counter;
    kmeans(blobs(2, 50, 9), 8, {2, 3, 5, 0}, counter);
    EXPECT_EQ(counter.last, 3u);
    EXPECT_TRUE(counter.finished);
}

TEST(KMeans, FewerPointsThanClusters) {
    std::vector<float> points = {0, 0, 1, 1, 5, 5};
    auto r = kmeans(points, 2, {10, 2, 10, 0}, quiet);
    EXPECT_EQ(r.clusters, 3);
    EXPECT_EQ(std::set<int>(r.assignment.begin(), r.assignment.end()).size(), 3u);
}

std::vector<float> uniform_points(std::size_t n, std::size_t dim, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> points(n * dim);
    for (float& v : points) v = u(rng);
    return points;
}

/** The sum of squared distances to the nearest centroid, in double precision. */
double inertia(const std::vector<float>& points, std::size_t dim, const std::vector<float>& centroids) {
    double total = 0;
    for (std::size_t i = 0; i < points.size() / dim; ++i) {
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < centroids.size() / dim; ++j) {
            double d = 0;
            for (std::size_t t = 0; t < dim; ++t) d += std::pow(double(points[i * dim + t]) - centroids[j * dim + t], 2);
            best = std::min(best, d);
        }
        total += best;
    }
    return total;
}

TEST(KMeans, EverySimdLevelAndThreadCountGivesTheSameBits) {
    // 37 dimensions: two full sets of sixteen lanes and a tail; 5 clusters: a group of four and one.
    for (std::size_t dim : {37u, 64u}) {
        auto points = uniform_points(3000, dim, 5);
        KMeansResult reference;
        bool first = true;
        for (SimdLevel level : {SimdLevel::Baseline, SimdLevel::Avx2, SimdLevel::Avx512}) {
            if (static_cast<int>(level) > static_cast<int>(cpu_simd_level())) continue;
            ::setenv("AMALGAM_SIMD", to_string(level), 1);
            for (int threads : {1, 2, 3}) {
                omp_set_num_threads(threads);
                KMeansResult r = kmeans(points, dim, {5, 3, 25, 0}, quiet);
                if (first) {
                    reference = r;
                    first = false;
                    continue;
                }
                EXPECT_EQ(r.assignment, reference.assignment) << to_string(level) << ", " << threads << " threads, dim " << dim;
                EXPECT_EQ(r.centroids, reference.centroids) << to_string(level) << ", " << threads << " threads, dim " << dim;
                EXPECT_EQ(r.objective, reference.objective) << to_string(level) << ", " << threads << " threads, dim " << dim;
            }
        }
        ::unsetenv("AMALGAM_SIMD");
        omp_set_num_threads(omp_get_num_procs());
    }
}

TEST(KMeans, InertiaNoWorseThanFaissFromTheSameStart) {
    // Twelve overlapping Gaussian clusters in 24 dimensions, started from three sets of points.
    const std::size_t n = 6000, dim = 24;
    const int k = 12, iterations = 25;
    std::mt19937 rng(6);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> centres(k * dim), points;
    for (float& c : centres) c = 2.0f * g(rng);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t t = 0; t < dim; ++t) points.push_back(centres[(i % k) * dim + t] + g(rng));

    for (std::size_t first : {0u, 100u, 2000u}) {
        std::vector<float> start(points.begin() + first * dim, points.begin() + (first + k) * dim);
        faiss::ClusteringParameters params;
        params.niter = iterations;
        params.min_points_per_centroid = 1;
        params.max_points_per_centroid = static_cast<int>(n);
        faiss::Clustering clustering(static_cast<int>(dim), k, params);
        clustering.centroids = start;  // faiss starts from given centroids
        faiss::IndexFlatL2 index(static_cast<faiss::Index::idx_t>(dim));
        clustering.train(static_cast<faiss::Index::idx_t>(n), points.data(), index);

        KMeansResult ours = lloyd(points, dim, start, iterations);
        const double theirs = inertia(points, dim, clustering.centroids), mine = inertia(points, dim, ours.centroids);
        EXPECT_LE(mine, theirs * (1 + 1e-6)) << "start " << first << ": ours " << mine << ", faiss " << theirs;
        EXPECT_NEAR(ours.objective, mine, mine * 1e-5);  // the objective is the inertia of the returned centroids
        EXPECT_LT(mine, inertia(points, dim, start) * 0.9);  // and the iterations did improve on the start
    }
}

TEST(KMeans, EmptiedClustersTakeHalfOfALargeOne) {
    // Two far blobs and three centroids started in one of them: one centroid ends up empty
    // after the first pass and must be split off a populated cluster.
    auto points = blobs(2, 200, 7);
    std::vector<float> start(points.begin(), points.begin() + 8);
    start.insert(start.end(), points.begin(), points.begin() + 8);  // a duplicate: it wins no point
    start.insert(start.end(), points.begin() + 200 * 8, points.begin() + 201 * 8);
    KMeansResult r = lloyd(points, 8, start, 10);
    std::vector<int> sizes(3, 0);
    for (int c : r.assignment) ++sizes[c];
    for (int s : sizes) EXPECT_GT(s, 0);
}

}  // namespace
}  // namespace amalgam
