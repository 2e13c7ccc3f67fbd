#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "core/dist/process_group.h"
#include "core/model/generation.h"
#include "core/model/scalar_head.h"
#include "core/model/transformer.h"
#include "core/train/optimizer.h"
#include "core/train/ppo_math.h"

namespace amalgam::ppo {

/** The models of PPO on one copy of the base weights: the policy and the reward model are two
 *  named adapters of `model` (the reward's with its score head), the reference is the model
 *  with no adapter, and the value head reads the policy's last hidden states. */
struct Models {
    TransformerModel& model;
    ScalarHead& value_head;  ///< TRL's "v_head.summary"
    std::string policy = "policy";
    std::string reward = "reward";
};

/** The policy's view of a rollout batch, per response token [batch, response width]: the
 *  log-probability of each response token, the value of the state before it, and (when asked)
 *  the entropy of the distribution it was drawn from. */
struct PolicyOutputs {
    at::Tensor logprobs, values, entropy;
};
PolicyOutputs policy_outputs(const Models& m, const RolloutBatch& batch, const at::Tensor& rows, bool with_entropy = false);

/** One step's experience: rollouts, their scores, and everything PPO computes from them.
 *  Tensors are [batch, response width] unless said otherwise; `mask` marks response tokens. */
struct Experience {
    RolloutBatch rollouts;
    at::Tensor mask;
    at::Tensor scores;                       ///< [batch]: the reward model at each text's last token
    at::Tensor logprobs, ref_logprobs, values, entropy;
    at::Tensor rewards, non_score_rewards, advantages, returns;
    double generation_seconds = 0;  ///< of the time it took, how much went to generating
};

struct ExperienceOptions {
    GenerationOptions generation;  ///< sampling settings and the number of new tokens
    double kl_coef = 0.2;
    double gamma = 1.0, lam = 0.95;
    std::int64_t forward_batch = 8;  ///< rows per forward pass when scoring the rollouts
    ProcessGroup* group = nullptr;   ///< advantages are whitened over every rank's rollouts
};

/** Generates from the prompts with the policy, scores the texts with the reward model, and
 *  computes log-probabilities (policy and reference), values, per-token rewards and GAE. */
Experience make_experience(const Models& m, const std::vector<std::vector<std::int32_t>>& prompts, const ExperienceOptions& options);

struct UpdateOptions {
    std::int64_t ppo_epochs = 4, mini_batch = 1, grad_accum = 4;
    double cliprange = 0.2, cliprange_value = 0.2, vf_coef = 0.1;
    double lr = 1.41e-5;
    double max_grad_norm = 1.0;
    std::uint64_t seed = 0;  ///< the mini-batches' order in each epoch
    /// Over a group: every rank's rollout count, by rank. A step's gradients are summed over the
    /// ranks, each mini-batch's loss divided by the mini-batches of the step on all of them.
    ProcessGroup* group = nullptr;
    std::vector<std::int64_t> rows_by_rank;
};

/** The means over all mini-batches (of every rank) of what the losses report. */
struct UpdateStats {
    double policy_loss = 0, value_loss = 0, policy_clipfrac = 0, value_clipfrac = 0, approxkl = 0, ratio = 0;
    double grad_norm = 0;  ///< before clipping, the mean over optimizer steps
    std::int64_t optimizer_steps = 0;
};

/** PPO epochs over the experience: shuffled mini-batches, clipped losses, an optimizer step
 *  every grad_accum mini-batches. The policy adapter is active and in training mode throughout. */
UpdateStats update(const Models& m, AdamW& optimizer, const Experience& experience, const UpdateOptions& options);

}  // namespace amalgam::ppo
