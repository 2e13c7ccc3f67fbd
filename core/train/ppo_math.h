#pragma once

#include <cstdint>
#include <utility>

#include <ATen/ATen.h>

namespace amalgam {
class ProcessGroup;
}

namespace amalgam::ppo {

// The arithmetic of PPO for language models as TRL's PPOTrainer (the one the paper's
// Stack-LLaMA scripts used) defines it. Tensors are [batch, response tokens]; `mask` is 1 on a
// response's tokens, a prefix of each row.

/** Mean of `x` where `mask` is 1. */
at::Tensor masked_mean(const at::Tensor& x, const at::Tensor& mask);

/** `x` shifted and scaled to mean 0 and (unbiased) variance 1 over the masked entries; over a
 *  group, the mean and variance are those of every rank's entries together. */
at::Tensor masked_whiten(const at::Tensor& x, const at::Tensor& mask, ProcessGroup* group = nullptr);

/** Per-token rewards: -kl_coef * (logp - ref_logp) on every response token, plus each row's
 *  score on its last response token. Also returns the KL part alone (the non-score reward). */
std::pair<at::Tensor, at::Tensor> token_rewards(const at::Tensor& logprobs, const at::Tensor& ref_logprobs, const at::Tensor& scores,
                                                const at::Tensor& mask, double kl_coef);

/** Generalised advantage estimation over each response, values and rewards zeroed off the
 *  mask; returns (advantages whitened over the mask of every rank, returns = raw advantages + values). */
std::pair<at::Tensor, at::Tensor> advantages_and_returns(const at::Tensor& rewards, const at::Tensor& values, const at::Tensor& mask,
                                                         double gamma, double lam, ProcessGroup* group = nullptr);

/** The clipped losses of one mini-batch and what they tell about the update. */
struct Losses {
    at::Tensor total;           ///< policy + vf_coef * value
    at::Tensor policy, value;   ///< masked means of the clipped objectives
    at::Tensor policy_clipfrac, value_clipfrac, approxkl, ratio;  ///< scalars, detached
};

Losses clipped_losses(const at::Tensor& logprobs, const at::Tensor& old_logprobs, const at::Tensor& advantages,
                      const at::Tensor& values, const at::Tensor& old_values, const at::Tensor& returns, const at::Tensor& mask,
                      double cliprange, double cliprange_value, double vf_coef);

/** The KL coefficient: fixed, or adapted toward a target KL (Ziegler et al. 2019): each
 *  update multiplies it by 1 + clip(kl / target - 1, -0.2, 0.2) * samples / horizon. */
struct KlController {
    double value = 0.2;
    bool adaptive = true;
    double target = 6.0;
    double horizon = 10000.0;

    void update(double current_kl, std::int64_t samples);
};

}  // namespace amalgam::ppo
