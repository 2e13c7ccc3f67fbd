#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "core/curate/projection.h"

namespace amalgam {
namespace {

TEST(Projection, FirstAxisFollowsTheWidestDirection) {
    // Points spread along (1, 2, 2)/3 with small noise elsewhere; x must recover t.
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> t_dist(-3, 3);
    std::normal_distribution<float> noise(0, 0.01f);
    std::vector<float> points, t;
    for (int i = 0; i < 400; ++i) {
        float v = t_dist(rng);
        t.push_back(v);
        points.insert(points.end(), {v / 3 + noise(rng), 2 * v / 3 + noise(rng), 2 * v / 3 + noise(rng)});
    }
    auto xy = project_2d(points, 3);
    ASSERT_EQ(xy.size(), 800u);
    double mean_t = 0;
    for (float v : t) mean_t += v;
    mean_t /= t.size();
    for (int i = 0; i < 400; ++i) {
        EXPECT_NEAR(xy[2 * i], t[i] - mean_t, 0.05);  // largest loading (2/3) positive: same sign as t
        EXPECT_NEAR(xy[2 * i + 1], 0.0, 0.05);
    }
}

TEST(Projection, TooFewPointsGiveZeros) {
    EXPECT_EQ(project_2d({1, 2, 3}, 3), std::vector<float>(2, 0.0f));
}

}  // namespace
}  // namespace amalgam
