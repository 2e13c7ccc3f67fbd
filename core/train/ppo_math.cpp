#include "core/train/ppo_math.h"

#include <algorithm>

#include "core/dist/process_group.h"

namespace amalgam::ppo {

at::Tensor masked_mean(const at::Tensor& x, const at::Tensor& mask) { return (x * mask).sum() / mask.sum(); }

at::Tensor masked_whiten(const at::Tensor& x, const at::Tensor& mask, ProcessGroup* group) {
    at::Tensor mean, count, variance;
    if (!group) {
        mean = masked_mean(x, mask);
        count = mask.sum();
        variance = masked_mean((x - mean).pow(2), mask);
    } else {  // the global sum and count, then the global spread around the global mean
        const at::Tensor totals = at::stack({(x * mask).sum(), mask.sum()});
        group->sum({totals});
        count = totals[1];
        mean = totals[0] / count;
        const at::Tensor spread = ((x - mean).pow(2) * mask).sum().reshape({1});
        group->sum({spread});
        variance = spread[0] / count;
    }
    // Bessel's correction, as TRL's masked_var; a single token has no spread to correct.
    variance = variance * count / (count - 1).clamp_min(1);
    return (x - mean) * at::rsqrt(variance + 1e-8);
}

std::pair<at::Tensor, at::Tensor> token_rewards(const at::Tensor& logprobs, const at::Tensor& ref_logprobs, const at::Tensor& scores,
                                                const at::Tensor& mask, double kl_coef) {
    const at::Tensor non_score = -kl_coef * (logprobs - ref_logprobs) * mask;
    // The last response token of each row: the largest position where the mask is 1.
    const at::Tensor positions = at::arange(mask.size(1), mask.options().dtype(at::kLong));
    const at::Tensor last = (mask.to(at::kLong) * positions).argmax(1, true);
    at::Tensor rewards = non_score.clone();
    rewards.scatter_add_(1, last, scores.to(rewards.scalar_type()).unsqueeze(1));
    return {rewards, non_score};
}

std::pair<at::Tensor, at::Tensor> advantages_and_returns(const at::Tensor& rewards, const at::Tensor& values, const at::Tensor& mask,
                                                         double gamma, double lam, ProcessGroup* group) {
    const at::Tensor v = values * mask, r = rewards * mask;
    const std::int64_t length = r.size(1);
    std::vector<at::Tensor> reversed;
    at::Tensor last = at::zeros({r.size(0)}, r.options());
    for (std::int64_t t = length - 1; t >= 0; --t) {
        const at::Tensor next_value = t + 1 < length ? v.select(1, t + 1) : at::zeros_like(last);
        const at::Tensor delta = r.select(1, t) + gamma * next_value - v.select(1, t);
        last = delta + gamma * lam * last;
        reversed.push_back(last);
    }
    std::reverse(reversed.begin(), reversed.end());
    const at::Tensor advantages = at::stack(reversed, 1);
    return {masked_whiten(advantages, mask, group).detach(), (advantages + v).detach()};
}

Losses clipped_losses(const at::Tensor& logprobs, const at::Tensor& old_logprobs, const at::Tensor& advantages,
                      const at::Tensor& values, const at::Tensor& old_values, const at::Tensor& returns, const at::Tensor& mask,
                      double cliprange, double cliprange_value, double vf_coef) {
    Losses l;
    const at::Tensor clipped_values = at::max(at::min(values, old_values + cliprange_value), old_values - cliprange_value);
    const at::Tensor value_losses = (values - returns).pow(2), clipped_value_losses = (clipped_values - returns).pow(2);
    l.value = 0.5 * masked_mean(at::max(value_losses, clipped_value_losses), mask);
    l.value_clipfrac = masked_mean((clipped_value_losses > value_losses).to(values.scalar_type()), mask).detach();

    const at::Tensor ratio = at::exp(logprobs - old_logprobs);
    const at::Tensor policy_losses = -advantages * ratio;
    const at::Tensor clipped_policy_losses = -advantages * at::clamp(ratio, 1.0 - cliprange, 1.0 + cliprange);
    l.policy = masked_mean(at::max(policy_losses, clipped_policy_losses), mask);
    l.policy_clipfrac = masked_mean((clipped_policy_losses > policy_losses).to(logprobs.scalar_type()), mask).detach();
    l.approxkl = (0.5 * masked_mean((logprobs - old_logprobs).pow(2), mask)).detach();
    l.ratio = masked_mean(ratio, mask).detach();
    l.total = l.policy + vf_coef * l.value;
    return l;
}

void KlController::update(double current_kl, std::int64_t samples) {
    if (!adaptive) return;
    const double error = std::clamp(current_kl / target - 1.0, -0.2, 0.2);
    value *= 1.0 + error * static_cast<double>(samples) / horizon;
}

}  // namespace amalgam::ppo
