#include <random>
#include <set>

#include <gtest/gtest.h>

#include "core/curate/kmeans.h"

namespace amalgam {
namespace {

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
    auto r = kmeans(points, 8, {4, 3, 25, 0});
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
    auto a = kmeans(points, 8, {3, 2, 10, 7});
    auto b = kmeans(points, 8, {3, 2, 10, 7});
    EXPECT_EQ(a.assignment, b.assignment);
    EXPECT_EQ(a.centroids, b.centroids);
}

TEST(KMeans, UsesEveryPointNotASample) {
    // 3000 points in 2 blobs with k = 2: faiss would train on 2 * 256 points by default.
    // The centroid of blob 0 equals the mean of all its points only when all were used.
    auto points = blobs(2, 1500, 3);
    auto r = kmeans(points, 8, {2, 1, 25, 0});
    int cluster = r.assignment[0];
    for (int d = 0; d < 8; ++d) {
        double mean = 0;
        for (int i = 0; i < 1500; ++i) mean += points[i * 8 + d];
        mean /= 1500;
        EXPECT_NEAR(r.centroids[cluster * 8 + d], mean, 1e-4);
    }
}

TEST(KMeans, FewerPointsThanClusters) {
    std::vector<float> points = {0, 0, 1, 1, 5, 5};
    auto r = kmeans(points, 2, {10, 2, 10, 0});
    EXPECT_EQ(r.clusters, 3);
    EXPECT_EQ(std::set<int>(r.assignment.begin(), r.assignment.end()).size(), 3u);
}

}  // namespace
}  // namespace amalgam
