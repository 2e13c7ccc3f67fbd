#include "core/train/group_rl_math.h"

namespace amalgam::group_rl {

at::Tensor grpo_advantages(const at::Tensor& rewards, std::int64_t group_size, ScaleRewards scale) {
    const at::Tensor grouped = rewards.view({-1, group_size});
    const at::Tensor centred = (grouped - grouped.mean(1, true)).reshape({-1});
    if (scale == ScaleRewards::None) return centred;
    const at::Tensor std = scale == ScaleRewards::Group ? grouped.std(1, /*unbiased=*/true, true).expand_as(grouped).reshape({-1})
                           : rewards.numel() > 1    ? rewards.std(/*unbiased=*/true).expand_as(rewards)
                                                    : at::zeros_like(rewards);
    return centred / (std + 1e-4);
}

at::Tensor rloo_advantages(const at::Tensor& rewards, std::int64_t group_size, bool normalize) {
    const at::Tensor grouped = rewards.view({-1, group_size});
    const at::Tensor others = (grouped.sum(1, true) - grouped) / static_cast<double>(group_size - 1);
    at::Tensor advantages = (grouped - others).reshape({-1});
    if (normalize) advantages = (advantages - advantages.mean()) / (advantages.std(/*unbiased=*/true) + 1e-4);
    return advantages;
}

TokenTerms grpo_token_terms(const at::Tensor& logps, const at::Tensor& old_logps, const at::Tensor& ref_logps, const at::Tensor& advantages,
                            double epsilon_low, double epsilon_high, double beta) {
    const at::Tensor ratio = at::exp(logps - old_logps);
    const at::Tensor a = advantages.unsqueeze(1);
    TokenTerms t;
    t.loss = -at::min(ratio * a, at::clamp(ratio, 1 - epsilon_low, 1 + epsilon_high) * a);
    if (beta != 0.0) {
        const at::Tensor log_ref_ratio = ref_logps - logps;
        t.kl = at::exp(log_ref_ratio) - log_ref_ratio - 1;
        t.loss = t.loss + beta * t.kl;
    } else {
        t.kl = at::zeros_like(logps);
    }
    t.low_clipped = ((ratio < 1 - epsilon_low) & (a < 0)).to(logps.scalar_type()).detach();
    t.high_clipped = ((ratio > 1 + epsilon_high) & (a > 0)).to(logps.scalar_type()).detach();
    t.kl = t.kl.detach();
    return t;
}

at::Tensor reduce_loss(const at::Tensor& token_loss, const at::Tensor& mask, LossType type, std::int64_t max_completion_length) {
    const at::Tensor masked = token_loss * mask;
    switch (type) {
        case LossType::Grpo: return (masked.sum(1) / mask.sum(1).clamp_min(1.0)).sum();
        case LossType::DrGrpo: return masked.sum() / static_cast<double>(max_completion_length);
        case LossType::Dapo: return masked.sum();
    }
    throw std::logic_error("unknown loss type");
}

double loss_units(const at::Tensor& mask, LossType type) {
    return type == LossType::Dapo ? mask.sum().item<double>() : static_cast<double>(mask.size(0));
}

at::Tensor rloo_sequence_loss(const at::Tensor& logps, const at::Tensor& old_logps, const at::Tensor& advantages, const at::Tensor& mask,
                              double epsilon_low, double epsilon_high) {
    const at::Tensor ratio = at::exp(((logps - old_logps) * mask).sum(1));
    return -at::min(ratio * advantages, at::clamp(ratio, 1 - epsilon_low, 1 + epsilon_high) * advantages);
}

}  // namespace amalgam::group_rl
