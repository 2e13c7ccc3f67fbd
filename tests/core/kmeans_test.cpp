#include <random>
#include <set>

#include <gtest/gtest.h>

#include "core/curate/kmeans.h"

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

}  // namespace
}  // namespace amalgam
