#include <cmath>

#include <gtest/gtest.h>

#include "core/embed/hashing_embedder.h"

namespace amalgam {
namespace {

double dot(const std::vector<float>& v, std::size_t a, std::size_t b) {
    double s = 0;
    for (std::size_t d = 0; d < HashingEmbedder::kDim; ++d) s += double(v[a * HashingEmbedder::kDim + d]) * v[b * HashingEmbedder::kDim + d];
    return s;
}

TEST(HashingEmbedder, RowsAreUnitLengthAndEmptyTextIsZero) {
    HashingEmbedder e;
    NoProgress quiet;
    auto v = e.embed({"The cat sat on the mat.", "", "Quantum chromodynamics"}, quiet);
    ASSERT_EQ(v.size(), 3 * HashingEmbedder::kDim);
    EXPECT_NEAR(dot(v, 0, 0), 1.0, 1e-6);
    EXPECT_NEAR(dot(v, 2, 2), 1.0, 1e-6);
    EXPECT_EQ(dot(v, 1, 1), 0.0);
}

TEST(HashingEmbedder, DeterministicAndCaseInsensitive) {
    HashingEmbedder e;
    NoProgress quiet;
    auto a = e.embed({"Why is the sky blue?", "WHY IS THE SKY BLUE?"}, quiet);
    auto b = e.embed({"Why is the sky blue?", "WHY IS THE SKY BLUE?"}, quiet);
    EXPECT_EQ(a, b);
    EXPECT_NEAR(dot(a, 0, 1), 1.0, 1e-6);
}

TEST(HashingEmbedder, SharedWordsMeanHigherSimilarity) {
    HashingEmbedder e;
    NoProgress quiet;
    auto v = e.embed({"how do I bake sourdough bread at home", "how to bake bread at home",
                      "explain the tax rules for freelancers"},
                     quiet);
    EXPECT_GT(dot(v, 0, 1), 0.3);
    EXPECT_GT(dot(v, 0, 1), dot(v, 0, 2) + 0.2);
}

}  // namespace
}  // namespace amalgam
