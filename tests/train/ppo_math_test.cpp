// PPO's arithmetic against plain loops and values worked out by hand.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "core/train/ppo_math.h"

namespace amalgam {
namespace {

at::Tensor matrix(const std::vector<std::vector<double>>& rows) {
    std::vector<at::Tensor> out;
    for (const auto& r : rows) out.push_back(at::tensor(r, at::kDouble));
    return at::stack(out);
}

TEST(Ppo, AdvantagesMatchAPlainLoopOverEachResponse) {
    const std::vector<std::vector<double>> rewards = {{0.1, -0.2, 0.3, 1.0}, {0.5, 2.0, 0.0, 0.0}, {-1.0, 0.0, 0.0, 0.0}};
    const std::vector<std::vector<double>> values = {{0.4, 0.1, -0.3, 0.2}, {1.0, -0.5, 9.0, 9.0}, {0.7, 9.0, 9.0, 9.0}};
    const std::vector<int> lengths = {4, 2, 1};
    at::Tensor mask = at::zeros({3, 4}, at::kDouble);
    for (int b = 0; b < 3; ++b) mask[b].slice(0, 0, lengths[b]).fill_(1);
    const double gamma = 0.9, lam = 0.95;
    auto [advantages, returns] = ppo::advantages_and_returns(matrix(rewards), matrix(values), mask, gamma, lam);

    std::vector<double> raw;  // the textbook recursion, response by response
    std::vector<std::vector<double>> raw_rows(3);
    for (int b = 0; b < 3; ++b) {
        std::vector<double> a(lengths[b]);
        double next_advantage = 0;
        for (int t = lengths[b] - 1; t >= 0; --t) {
            const double next_value = t + 1 < lengths[b] ? values[b][t + 1] : 0.0;
            a[t] = rewards[b][t] + gamma * next_value - values[b][t] + gamma * lam * next_advantage;
            next_advantage = a[t];
        }
        raw_rows[b] = a;
        raw.insert(raw.end(), a.begin(), a.end());
    }
    double mean = 0, var = 0;
    for (double a : raw) mean += a / raw.size();
    for (double a : raw) var += (a - mean) * (a - mean) / (raw.size() - 1);
    for (int b = 0; b < 3; ++b)
        for (int t = 0; t < lengths[b]; ++t) {
            EXPECT_NEAR(returns[b][t].item<double>(), raw_rows[b][t] + values[b][t], 1e-12);
            EXPECT_NEAR(advantages[b][t].item<double>(), (raw_rows[b][t] - mean) / std::sqrt(var + 1e-8), 1e-9);
        }
}

TEST(Ppo, WhitenedValuesHaveMeanZeroAndUnitVarianceOverTheMask) {
    at::manual_seed(1);
    at::Tensor x = at::randn({4, 6}, at::kDouble) * 3 + 2;
    at::Tensor mask = (at::rand({4, 6}, at::kDouble) > 0.3).to(at::kDouble);
    at::Tensor w = ppo::masked_whiten(x, mask);
    const double n = mask.sum().item<double>();
    const double mean = ((w * mask).sum() / n).item<double>();
    const double var = (((w - mean).pow(2) * mask).sum() / (n - 1)).item<double>();
    EXPECT_NEAR(mean, 0.0, 1e-12);
    EXPECT_NEAR(var, 1.0, 1e-6);
    // One token alone: centred, and finite.
    at::Tensor one = ppo::masked_whiten(matrix({{3.0, 7.0}}), matrix({{1.0, 0.0}}));
    EXPECT_EQ(one[0][0].item<double>(), 0.0);
    EXPECT_TRUE(std::isfinite(one[0][1].item<double>()));
}

TEST(Ppo, RewardsAreTheKlPenaltyWithTheScoreOnTheLastToken) {
    at::Tensor logp = matrix({{-1.0, -2.0, -0.5}, {-0.3, -0.4, 0.0}});
    at::Tensor ref = matrix({{-1.5, -1.0, -0.5}, {-0.1, -0.9, 0.0}});
    at::Tensor mask = matrix({{1, 1, 1}, {1, 1, 0}});
    auto [rewards, non_score] = ppo::token_rewards(logp, ref, at::tensor({2.0, -1.0}, at::kDouble), mask, 0.1);
    EXPECT_NEAR(rewards[0][0].item<double>(), -0.1 * 0.5, 1e-12);
    EXPECT_NEAR(rewards[0][1].item<double>(), -0.1 * -1.0, 1e-12);
    EXPECT_NEAR(rewards[0][2].item<double>(), 2.0, 1e-12);
    EXPECT_NEAR(rewards[1][1].item<double>(), -0.1 * 0.5 - 1.0, 1e-12);
    EXPECT_EQ(rewards[1][2].item<double>(), 0.0);
    EXPECT_NEAR(non_score[1][1].item<double>(), -0.05, 1e-12);
}

TEST(Ppo, ClippedLossesMatchValuesWorkedOutByHand) {
    // One response of two tokens. Token 0: ratio e^0.5 with advantage 1, so -1.2 (clipped at
    // 1 + 0.2) beats -e^0.5. Token 1: ratio e^-0.1 with advantage -2, inside the range: 2 e^-0.1.
    at::Tensor logp = matrix({{0.0, -0.1}}), old = matrix({{-0.5, 0.0}}), adv = matrix({{1.0, -2.0}});
    // Values: token 0 moves 0.5 from 0.0 (clipped to 0.2), token 1 moves 0.1 (within the range).
    at::Tensor values = matrix({{0.5, 1.1}}), old_values = matrix({{0.0, 1.0}}), returns = matrix({{1.0, 0.0}});
    at::Tensor mask = matrix({{1, 1}});
    ppo::Losses l = ppo::clipped_losses(logp, old, adv, values, old_values, returns, mask, 0.2, 0.2, 0.1);
    const double policy = (-1.2 + 2.0 * std::exp(-0.1)) / 2;
    EXPECT_NEAR(l.policy.item<double>(), policy, 1e-12);
    // Value: max((0.5-1)^2, (0.2-1)^2) = 0.64 and max((1.1-0)^2, (1.1-0)^2) = 1.21; half their mean.
    EXPECT_NEAR(l.value.item<double>(), 0.5 * (0.64 + 1.21) / 2, 1e-12);
    EXPECT_NEAR(l.total.item<double>(), policy + 0.1 * 0.5 * (0.64 + 1.21) / 2, 1e-12);
    EXPECT_NEAR(l.policy_clipfrac.item<double>(), 0.5, 1e-12);  // token 0's
    EXPECT_NEAR(l.value_clipfrac.item<double>(), 0.5, 1e-12);  // token 0's
    EXPECT_NEAR(l.ratio.item<double>(), (std::exp(0.5) + std::exp(-0.1)) / 2, 1e-12);
    EXPECT_NEAR(l.approxkl.item<double>(), 0.5 * (0.25 + 0.01) / 2, 1e-12);
}

TEST(Ppo, TheAdaptiveKlCoefficientMovesTowardItsTarget) {
    ppo::KlController kl;  // 0.2, target 6, horizon 10000
    kl.update(12.0, 32);   // far above target: error clipped to +0.2
    EXPECT_NEAR(kl.value, 0.2 * (1 + 0.2 * 32 / 10000.0), 1e-15);
    const double before = kl.value;
    kl.update(5.4, 32);  // below target by 10%
    EXPECT_NEAR(kl.value, before * (1 - 0.1 * 32 / 10000.0), 1e-15);
    ppo::KlController fixed{0.05, false};
    fixed.update(100.0, 32);
    EXPECT_EQ(fixed.value, 0.05);
}

}  // namespace
}  // namespace amalgam
