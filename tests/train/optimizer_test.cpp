// AdamW, clipping and the schedules against their definitions, computed by hand.
#include <cmath>

#include <c10/core/GradMode.h>
#include <gtest/gtest.h>

#include "core/train/optimizer.h"

namespace amalgam {
namespace {

TEST(AdamW, TwoStepsFollowTorchsDefinition) {
    OptimizerConfig config;
    config.weight_decay = 0.1;
    at::Tensor w = at::tensor({1.0, -2.0}, at::kDouble), bias = at::tensor({0.5}, at::kDouble);
    AdamW adam({{"w", w, true}, {"b", bias, false}}, config);
    const double grads[2][3] = {{0.3, -0.1, 2.0}, {-0.2, 0.4, 1.0}};
    double expected[3] = {1.0, -2.0, 0.5}, m[3] = {0, 0, 0}, v[3] = {0, 0, 0};
    const double lr[2] = {1e-2, 5e-3};
    for (int t = 0; t < 2; ++t) {
        w.mutable_grad() = at::tensor({grads[t][0], grads[t][1]}, at::kDouble);
        bias.mutable_grad() = at::tensor({grads[t][2]}, at::kDouble);
        adam.step(lr[t]);
        adam.zero_grad();
        for (int i = 0; i < 3; ++i) {  // torch.optim.AdamW, written out
            if (i < 2) expected[i] *= 1 - lr[t] * config.weight_decay;
            m[i] = config.beta1 * m[i] + (1 - config.beta1) * grads[t][i];
            v[i] = config.beta2 * v[i] + (1 - config.beta2) * grads[t][i] * grads[t][i];
            const double m_hat = m[i] / (1 - std::pow(config.beta1, t + 1));
            const double denom = std::sqrt(v[i]) / std::sqrt(1 - std::pow(config.beta2, t + 1)) + config.eps;
            expected[i] -= lr[t] * m_hat / denom;
        }
    }
    EXPECT_NEAR(w[0].item<double>(), expected[0], 1e-12);
    EXPECT_NEAR(w[1].item<double>(), expected[1], 1e-12);
    EXPECT_NEAR(bias[0].item<double>(), expected[2], 1e-12);  // no weight decay on a bias
    EXPECT_EQ(adam.steps(), 2);
}

TEST(AdamW, ClipsTheGlobalNormAndReportsItBeforeClipping) {
    at::Tensor a = at::zeros({2}, at::kDouble), b = at::zeros({1}, at::kDouble);
    AdamW adam({{"a", a, true}, {"b", b, true}}, OptimizerConfig{});
    a.mutable_grad() = at::tensor({3.0, 0.0}, at::kDouble);
    b.mutable_grad() = at::tensor({4.0}, at::kDouble);
    EXPECT_DOUBLE_EQ(adam.clip_grad_norm(1.0).item<double>(), 5.0);
    EXPECT_NEAR(a.grad()[0].item<double>(), 3.0 / (5.0 + 1e-6), 1e-12);
    EXPECT_NEAR(b.grad()[0].item<double>(), 4.0 / (5.0 + 1e-6), 1e-12);
    EXPECT_NEAR(adam.clip_grad_norm(10.0).item<double>(), 1.0, 1e-6);  // below the limit: left alone
    EXPECT_NEAR(a.grad()[0].item<double>(), 3.0 / (5.0 + 1e-6), 1e-12);
}

TEST(Schedules, WarmUpThenTransformersShapes) {
    OptimizerConfig c;
    c.lr = 1.0;
    c.warmup_steps = 4;
    c.schedule = Schedule::Linear;
    EXPECT_DOUBLE_EQ(learning_rate(c, 0, 14), 0.0);  // the first step of a warm-up learns nothing, as in transformers
    EXPECT_DOUBLE_EQ(learning_rate(c, 2, 14), 0.5);
    EXPECT_DOUBLE_EQ(learning_rate(c, 4, 14), 1.0);
    EXPECT_DOUBLE_EQ(learning_rate(c, 9, 14), 0.5);
    EXPECT_DOUBLE_EQ(learning_rate(c, 14, 14), 0.0);
    c.schedule = Schedule::Cosine;
    EXPECT_NEAR(learning_rate(c, 9, 14), 0.5, 1e-12);
    EXPECT_NEAR(learning_rate(c, 6, 14), 0.5 * (1 + std::cos(M_PI * 0.2)), 1e-12);
    c.schedule = Schedule::Constant;
    EXPECT_DOUBLE_EQ(learning_rate(c, 13, 14), 1.0);
}

}  // namespace
}  // namespace amalgam
