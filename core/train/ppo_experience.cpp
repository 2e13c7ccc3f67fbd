#include "core/train/ppo_experience.h"

#include <algorithm>
#include <chrono>
#include <random>

#include <c10/core/GradMode.h>

#include "core/train/rollout_logprobs.h"
#include "core/train/seed_mix.h"

namespace amalgam::ppo {

PolicyOutputs policy_outputs(const Models& m, const RolloutBatch& batch, const at::Tensor& rows, bool with_entropy) {
    RolloutLogprobs r = rollout_logprobs(m.model, batch, rows, with_entropy);
    // The state that predicts a response token is also the one whose value it is judged against.
    return {r.logprobs, m.value_head.per_token(r.hidden), r.entropy};
}

Experience make_experience(const Models& m, const std::vector<std::vector<std::int32_t>>& prompts, const ExperienceOptions& options) {
    Experience e;
    {
        ScopedAdapter policy(m.model, m.policy);
        m.model.set_training(false);
        const auto start = std::chrono::steady_clock::now();
        e.rollouts = generate_rollouts(m.model, prompts, options.generation);
        e.generation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    c10::NoGradGuard no_grad;
    const at::Device device = m.model.device();
    const std::int64_t rows = e.rollouts.ids.size(0), prompt = e.rollouts.prompt_width;
    std::vector<at::Tensor> logprobs, ref_logprobs, values, entropy, scores;
    for (std::int64_t start = 0; start < rows; start += options.forward_batch) {
        const at::Tensor chunk = at::arange(start, std::min(rows, start + options.forward_batch), at::TensorOptions().dtype(at::kLong).device(device));
        {
            ScopedAdapter policy(m.model, m.policy);
            PolicyOutputs p = policy_outputs(m, e.rollouts, chunk, /*with_entropy=*/true);
            logprobs.push_back(p.logprobs);
            values.push_back(p.values);
            entropy.push_back(p.entropy);
        }
        {
            ScopedAdapter none(m.model, "");  // the reference: the base alone
            ref_logprobs.push_back(policy_outputs(m, e.rollouts, chunk).logprobs);
        }
        {
            ScopedAdapter reward(m.model, m.reward);
            const ScalarHead* head = m.model.score_head();
            if (!head) throw std::invalid_argument("the reward adapter '" + m.reward + "' has no score head");
            const at::Tensor ids = e.rollouts.ids.index_select(0, chunk), mask = e.rollouts.mask.index_select(0, chunk);
            scores.push_back(head->at_last_token(m.model.hidden_states(ids, mask), mask));
        }
    }
    const at::ScalarType type = widened_type(m.model.dtype());
    e.mask = e.rollouts.response_mask.slice(1, prompt).to(type);
    e.logprobs = at::cat(logprobs);
    e.ref_logprobs = at::cat(ref_logprobs);
    e.values = at::cat(values).to(type);
    e.entropy = at::cat(entropy);
    e.scores = at::cat(scores).to(type);
    std::tie(e.rewards, e.non_score_rewards) = token_rewards(e.logprobs, e.ref_logprobs, e.scores, e.mask, options.kl_coef);
    std::tie(e.advantages, e.returns) = advantages_and_returns(e.rewards, e.values, e.mask, options.gamma, options.lam, options.group);
    return e;
}

UpdateStats update(const Models& m, AdamW& optimizer, const Experience& e, const UpdateOptions& options) {
    ScopedAdapter policy(m.model, m.policy);
    m.model.set_training(true);
    const at::Device device = m.model.device();
    const auto rows = static_cast<std::size_t>(e.rollouts.ids.size(0));
    const auto per_step = static_cast<std::size_t>(options.mini_batch * options.grad_accum), mini = static_cast<std::size_t>(options.mini_batch);
    const std::vector<std::int64_t> rows_by_rank = options.group ? options.rows_by_rank : std::vector<std::int64_t>{static_cast<std::int64_t>(rows)};
    const auto most_rows = static_cast<std::size_t>(*std::max_element(rows_by_rank.begin(), rows_by_rank.end()));
    auto minis_from = [&](std::size_t rank_rows, std::size_t start) {  // mini-batches of a step that begins at row `start`
        const std::size_t n = std::min(rank_rows, start + per_step) - std::min(rank_rows, start);
        return (n + mini - 1) / mini;
    };
    std::vector<at::Tensor> stats, norms;  // per mini-batch and per step, on the device until the end
    UpdateStats out;
    for (std::int64_t epoch = 0; epoch < options.ppo_epochs; ++epoch) {
        std::vector<std::int64_t> order(rows);
        for (std::size_t i = 0; i < rows; ++i) order[i] = static_cast<std::int64_t>(i);
        std::mt19937_64 rng(seed_mix(options.seed, 1, static_cast<std::uint64_t>(epoch)));
        for (std::size_t i = rows; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
        // Every rank takes as many steps as the one with the most rows, so that all join each reduction.
        for (std::size_t start = 0; start < most_rows; start += per_step) {
            const std::size_t end = std::min(rows, start + per_step);
            std::size_t minis = 0;
            for (std::int64_t r : rows_by_rank) minis += minis_from(static_cast<std::size_t>(r), start);
            for (std::size_t mb = start; mb < end; mb += mini) {
                const std::vector<std::int64_t> chosen(order.begin() + static_cast<std::ptrdiff_t>(mb),
                                                       order.begin() + static_cast<std::ptrdiff_t>(std::min(end, mb + mini)));
                const at::Tensor index = at::tensor(chosen, at::kLong).to(device);
                at::manual_seed(seed_mix(options.seed, 2 + static_cast<std::uint64_t>(epoch), mb));  // LoRA dropout
                PolicyOutputs p = policy_outputs(m, e.rollouts, index);
                Losses l = clipped_losses(p.logprobs, e.logprobs.index_select(0, index), e.advantages.index_select(0, index), p.values,
                                          e.values.index_select(0, index), e.returns.index_select(0, index), e.mask.index_select(0, index),
                                          options.cliprange, options.cliprange_value, options.vf_coef);
                (l.total / static_cast<double>(minis)).backward();
                stats.push_back(at::stack({l.policy.detach(), l.value.detach(), l.policy_clipfrac, l.value_clipfrac, l.approxkl, l.ratio}));
            }
            if (options.group) options.group->sum(optimizer.gradients(/*zeros_where_none=*/true));
            norms.push_back(optimizer.clip_grad_norm(options.max_grad_norm).to(at::kDouble).reshape({1}));
            optimizer.step(options.lr);
            optimizer.zero_grad();
            ++out.optimizer_steps;
        }
    }
    m.model.set_training(false);
    at::Tensor mean;
    if (!options.group) {
        mean = at::stack(stats).mean(0).to(at::kCPU, at::kDouble);
    } else {  // the sums and the count of every rank's mini-batches
        const at::Tensor totals = at::cat({at::stack(stats).sum(0).to(at::kDouble), at::full({1}, static_cast<double>(stats.size()), at::kDouble).to(device)});
        options.group->sum({totals});
        mean = (totals.slice(0, 0, 6) / totals[6]).to(at::kCPU);
    }
    out.policy_loss = mean[0].item<double>();
    out.value_loss = mean[1].item<double>();
    out.policy_clipfrac = mean[2].item<double>();
    out.value_clipfrac = mean[3].item<double>();
    out.approxkl = mean[4].item<double>();
    out.ratio = mean[5].item<double>();
    out.grad_norm = at::cat(norms).mean().item<double>();
    return out;
}

}  // namespace amalgam::ppo
