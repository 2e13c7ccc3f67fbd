#pragma once

#include <cstdint>

#include <ATen/ATen.h>

#include "core/train/train_config.h"

namespace amalgam::group_rl {

/** GRPO's advantages: each reward minus its group's mean, over the group's (or the batch's)
 *  standard deviation (Bessel-corrected) plus 1e-4, or unscaled. `rewards` [groups × size],
 *  each group's completions side by side. */
at::Tensor grpo_advantages(const at::Tensor& rewards, std::int64_t group_size, ScaleRewards scale);

/** RLOO's: each reward minus the mean of the other rewards of its group; with `normalize`,
 *  then standardised over the batch (plus 1e-4). */
at::Tensor rloo_advantages(const at::Tensor& rewards, std::int64_t group_size, bool normalize);

/** GRPO's per-token terms [completions, tokens]: the clipped surrogate
 *  -min(ρ A, clip(ρ, 1 - ε_low, 1 + ε_high) A), ρ = exp(logp - old_logp), plus β times the k3
 *  estimate of the KL to the reference, exp(ref - logp) - (ref - logp) - 1 (no reference: β = 0),
 *  and which tokens the clip bit, for TRL's clip ratios. */
struct TokenTerms {
    at::Tensor loss, kl, low_clipped, high_clipped;
};
TokenTerms grpo_token_terms(const at::Tensor& logps, const at::Tensor& old_logps, const at::Tensor& ref_logps, const at::Tensor& advantages,
                            double epsilon_low, double epsilon_high, double beta);

/** A micro-batch's share of a step's GRPO loss before the step's division by loss_units(): the
 *  sum of the sequences' token means (grpo), the token sum over the longest completion allowed
 *  (dr_grpo), or the token sum (dapo). `mask` marks completion tokens. */
at::Tensor reduce_loss(const at::Tensor& token_loss, const at::Tensor& mask, LossType type, std::int64_t max_completion_length);
/** What a step's summed loss is divided by: completions (grpo, dr_grpo) or completion tokens (dapo). */
double loss_units(const at::Tensor& mask, LossType type);

/** RLOO's per-completion clipped loss [completions]: the ratio of the whole completion's
 *  probability, exp(Σ logp - Σ old_logp), clipped as GRPO's, times its advantage. */
at::Tensor rloo_sequence_loss(const at::Tensor& logps, const at::Tensor& old_logps, const at::Tensor& advantages, const at::Tensor& mask,
                              double epsilon_low, double epsilon_high);

}  // namespace amalgam::group_rl
