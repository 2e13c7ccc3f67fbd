#include "core/train/group_rl_stage.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>

#include <c10/core/GradMode.h>

#include "core/model/generation.h"
#include "core/train/group_rl_math.h"
#include "core/train/rollout_logprobs.h"
#include "core/train/seed_mix.h"
#include "core/train/trainer.h"
#include "core/util/text_file.h"

namespace amalgam {

GroupRlStage::GroupRlStage(const TrainConfig& config, TransformerModel& model, ProcessGroup* group)
    : config_(config), model_(model), group_(group) {
    int models = 0;
    for (const RewardSpec& spec : config_.group.rewards) {
        if (spec.kind != RewardSpec::Kind::Model) {
            reward_adapters_.emplace_back();
            continue;
        }
        const std::string name = "reward-" + std::to_string(++models);
        model_.load_adapter(spec.text, name);
        ScopedAdapter reward(model_, name);
        if (!model_.score_head())
            throw std::runtime_error(spec.text + ": not a reward model: the adapter has no score head (train one with stage: rm)");
        reward_adapters_.push_back(name);
    }
}

void GroupRlStage::load_prompts(const TextEncoder& encoder, std::vector<TrainExample>& examples) {
    prompts_ = load_rollout_prompts(config_.data, encoder, config_.group.max_completion_length, config_.max_length, examples);
    const auto& rewards = config_.group.rewards;
    if (std::none_of(rewards.begin(), rewards.end(), [](const RewardSpec& r) { return r.kind == RewardSpec::Kind::MatchField; })) {
        prompt_rows_.assign(prompts_.lines.size(), nlohmann::json::object());
        return;
    }
    std::map<std::size_t, nlohmann::json> by_line;  // match_field reads the rows' own fields
    TextFile(config_.data).for_each_line([&](std::string_view line, std::size_t number) {
        if (line.find_first_not_of(" \t") != std::string_view::npos) by_line[number] = nlohmann::json::parse(line);
    });
    for (const std::size_t line : prompts_.lines) prompt_rows_.push_back(by_line[line]);
}

std::vector<std::string> GroupRlStage::metric_names() const {
    std::vector<std::string> names = {"reward", "reward_std"};
    for (const RewardSpec& spec : config_.group.rewards) names.push_back("rewards/" + spec.name + "/mean");
    if (config_.group.beta != 0.0) names.push_back("kl");
    for (const char* name : {"entropy", "clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean", "completions/mean_length",
                             "completions/clipped_ratio", "frac_reward_zero_std", "loss", "generation_share"})
        names.emplace_back(name);
    return names;
}

void GroupRlStage::sum_over_ranks(at::Tensor& values) const {
    if (group_) group_->sum({values});
}

at::Tensor GroupRlStage::rewards(const RolloutBatch& rollouts, const std::vector<std::int64_t>& prompt_rows, std::vector<double>& means) const {
    const auto rows = static_cast<std::int64_t>(rollouts.generations.size());
    at::Tensor total = at::zeros({rows}, at::kDouble);
    for (std::size_t k = 0; k < config_.group.rewards.size(); ++k) {
        const RewardSpec& spec = config_.group.rewards[k];
        at::Tensor values;
        if (spec.kind == RewardSpec::Kind::Model) {
            ScopedAdapter reward(model_, reward_adapters_[k]);
            std::vector<at::Tensor> scores;
            for (std::int64_t start = 0; start < rows; start += config_.batch_size / config_.grad_accum) {
                const at::Tensor chunk = at::arange(start, std::min(rows, start + config_.batch_size / config_.grad_accum),
                                                    at::TensorOptions().dtype(at::kLong).device(model_.device()));
                const at::Tensor ids = rollouts.ids.index_select(0, chunk), mask = rollouts.mask.index_select(0, chunk);
                scores.push_back(model_.score_head()->at_last_token(model_.hidden_states(ids, mask), mask));
            }
            values = at::cat(scores).to(at::kCPU, at::kDouble);
        } else {
            values = at::zeros({rows}, at::kDouble);
            for (std::int64_t i = 0; i < rows; ++i) {
                const Generation& g = rollouts.generations[static_cast<std::size_t>(i)];
                const auto tokens = static_cast<std::int64_t>(g.tokens.size());
                values[i] = rule_reward(spec, g.text, tokens, prompt_rows_[static_cast<std::size_t>(prompt_rows[static_cast<std::size_t>(i)])]);
            }
        }
        means.push_back(values.mean().item<double>());
        total += spec.weight * values;
    }
    return total;
}

GroupRlStage::Figures GroupRlStage::step(const std::vector<const TrainExample*>& batch, const std::vector<std::int64_t>& rows, std::int64_t step,
                                         double lr, AdamW& optimizer, const Tokenizer& tokenizer, const std::filesystem::path& samples_file) {
    const auto start = std::chrono::steady_clock::now();
    const GroupSettings& g = config_.group;
    const bool grpo = config_.stage == Stage::Grpo;
    const double eps_low = g.epsilon, eps_high = g.epsilon_high.value_or(g.epsilon);
    const auto step_seed = static_cast<std::uint64_t>(step) + 1;
    std::vector<std::vector<std::int32_t>> prompts;
    std::vector<std::int64_t> prompt_of;  // each completion's prompt, as an index into the data's prompts
    for (std::size_t i = 0; i < batch.size(); ++i)
        for (std::int64_t k = 0; k < g.num_generations; ++k) {
            prompts.push_back(batch[i]->chosen.ids);
            prompt_of.push_back(rows[i]);
        }
    GenerationOptions o;
    o.greedy = false;
    o.temperature = g.temperature;
    o.top_k = static_cast<int>(g.top_k);
    o.top_p = g.top_p;
    o.max_new_tokens = static_cast<int>(g.max_completion_length);
    o.stop_tokens = prompts_.stop_tokens;
    o.seed = seed_mix(config_.seed, step_seed, 102);
    if (group_ && group_->rank() > 0) o.seed = seed_mix(o.seed, static_cast<std::uint64_t>(group_->rank()), 0);  // rank 0's is one process's
    RolloutBatch r;
    double generation_seconds = 0;
    {
        ScopedAdapter policy(model_, "policy");
        model_.set_training(false);
        const auto generating = std::chrono::steady_clock::now();
        r = generate_rollouts(model_, prompts, o, &tokenizer);
        generation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - generating).count();
    }
    const at::Device device = model_.device();
    const at::ScalarType type = widened_type(model_.dtype());
    const auto completions = static_cast<std::int64_t>(prompts.size());
    // grad_accum micro-batches of the completions; an epoch's last, smaller batch may leave some empty.
    const std::int64_t micro = (completions + config_.grad_accum - 1) / config_.grad_accum;
    const std::int64_t micro_batches = (completions + micro - 1) / micro;
    const at::Tensor mask = r.response_mask.slice(1, r.prompt_width).to(type);
    auto micro_rows = [&](std::int64_t m) {
        return at::arange(m * micro, std::min(completions, (m + 1) * micro), at::TensorOptions().dtype(at::kLong).device(device));
    };

    // The rewards, and the old policy's and the reference's log-probabilities where the loss needs them.
    at::Tensor old_logps, ref_logps, reward;
    std::vector<double> reward_means;
    {
        c10::NoGradGuard no_grad;
        reward = rewards(r, prompt_of, reward_means).to(device, type);
        auto logps_of = [&](const std::string& adapter) {
            ScopedAdapter scoped(model_, adapter);
            std::vector<at::Tensor> parts;
            for (std::int64_t m = 0; m < micro_batches; ++m) parts.push_back(rollout_logprobs(model_, r, micro_rows(m), false).logprobs);
            return at::cat(parts);
        };
        if (g.num_iterations > 1 || (!grpo && g.beta != 0.0)) old_logps = logps_of("policy");
        if (g.beta != 0.0) ref_logps = logps_of("");
    }
    const at::Tensor kl_of_sequences = !grpo && g.beta != 0.0 ? ((old_logps - ref_logps) * mask).sum(1) : at::Tensor();
    if (kl_of_sequences.defined()) reward = reward - g.beta * kl_of_sequences;  // RLOO puts the KL in the reward
    at::Tensor advantages;
    if (!group_) {
        advantages = grpo ? group_rl::grpo_advantages(reward, g.num_generations, g.scale_rewards)
                          : group_rl::rloo_advantages(reward, g.num_generations, g.normalize_advantages);
    } else {  // the same, with what spans the batch taken over every rank's completions
        auto moments = [&](const at::Tensor& x) {  // mean and Bessel-corrected deviation
            at::Tensor m = at::stack({x.sum(), (x * x).sum()}).to(at::kDouble);
            at::Tensor n = at::full({1}, static_cast<double>(x.numel()), at::kDouble);
            at::Tensor all = at::cat({m.to(at::kCPU), n});
            sum_over_ranks(all);
            const double count = all[2].item<double>(), mean = all[0].item<double>() / count;
            const double variance = count > 1 ? std::max(0.0, (all[1].item<double>() - count * mean * mean) / (count - 1)) : 0.0;
            return std::make_pair(mean, std::sqrt(variance));
        };
        const bool batch = grpo && g.scale_rewards == group_rl::ScaleRewards::Batch;
        advantages = grpo ? group_rl::grpo_advantages(reward, g.num_generations, batch ? group_rl::ScaleRewards::None : g.scale_rewards)
                          : group_rl::rloo_advantages(reward, g.num_generations, false);
        if (batch) advantages = advantages / (moments(reward).second + 1e-4);
        if (!grpo && g.normalize_advantages) {
            const auto [mean, deviation] = moments(advantages);
            advantages = (advantages - mean) / (deviation + 1e-4);
        }
    }
    at::Tensor step_units = at::full({1}, grpo ? group_rl::loss_units(mask, g.loss_type) : static_cast<double>(completions), at::kDouble);
    sum_over_ranks(step_units);
    const double units = step_units.item<double>();

    ScopedAdapter policy(model_, "policy");
    model_.set_training(true);
    at::Tensor kl_sum = at::zeros({}, mask.options()), entropy_sum = kl_sum.clone(), low = kl_sum.clone(), high = kl_sum.clone();
    at::Tensor loss_sum = kl_sum.clone(), clip_units = kl_sum.clone();
    std::vector<at::Tensor> norms;
    for (std::int64_t iteration = 0; iteration < g.num_iterations; ++iteration) {
        for (std::int64_t m = 0; m < micro_batches; ++m) {
            const at::Tensor index = micro_rows(m);
            at::manual_seed(seed_mix(config_.seed, step_seed, 200 + static_cast<std::uint64_t>(iteration * config_.grad_accum + m)));  // LoRA dropout
            const RolloutLogprobs p = rollout_logprobs(model_, r, index, iteration == 0);
            const at::Tensor mk = mask.index_select(0, index), adv = advantages.index_select(0, index);
            const at::Tensor old = old_logps.defined() ? old_logps.index_select(0, index) : p.logprobs.detach();
            at::Tensor loss;
            if (grpo) {
                const group_rl::TokenTerms t = group_rl::grpo_token_terms(p.logprobs, old, ref_logps.defined() ? ref_logps.index_select(0, index) : at::Tensor(),
                                                                          adv, eps_low, eps_high, g.beta);
                loss = group_rl::reduce_loss(t.loss, mk, g.loss_type, g.max_completion_length) / units;
                kl_sum += (t.kl * mk).sum();
                low += (t.low_clipped * mk).sum();
                high += (t.high_clipped * mk).sum();
                clip_units += mk.sum();
            } else {
                loss = group_rl::rloo_sequence_loss(p.logprobs, old, adv, mk, eps_low, eps_high).sum() / units;
                const at::Tensor ratio = at::exp(((p.logprobs.detach() - old) * mk).sum(1));
                low += ((ratio < 1 - eps_low) & (adv < 0)).to(type).sum();
                high += ((ratio > 1 + eps_high) & (adv > 0)).to(type).sum();
                clip_units += static_cast<double>(index.size(0));
            }
            loss.backward();
            loss_sum += loss.detach();
            if (iteration == 0) entropy_sum += (p.entropy * mk).sum();
        }
        if (group_) group_->sum(optimizer.gradients(/*zeros_where_none=*/true));
        norms.push_back(optimizer.clip_grad_norm(config_.optimizer.max_grad_norm).to(at::kDouble).reshape({1}));
        optimizer.step(lr);
        optimizer.zero_grad();
    }
    model_.set_training(false);

    // TRL's figures, from sums over every rank's completions.
    const at::Tensor group_std = reward.view({-1, g.num_generations}).std(1, /*unbiased=*/true);
    std::int64_t clipped = 0;
    for (const Generation& gen : r.generations) clipped += gen.stop_reason == StopReason::Length ? 1 : 0;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const at::Tensor kl_tokens = grpo || g.beta == 0.0 ? kl_sum : ((old_logps - ref_logps) * mask).sum();  // RLOO's: the sampling policy's
    const at::Tensor kl_units = grpo ? clip_units : mask.sum();
    std::vector<at::Tensor> parts = {reward.sum(), group_std.sum(), kl_tokens, kl_units, entropy_sum, mask.sum(), low, high, clip_units, loss_sum,
                                     (group_std.abs() < 1e-8).to(type).sum(), r.mask.sum().to(type)};
    at::Tensor sums = at::cat({at::stack(parts).to(at::kCPU, at::kDouble),
                               at::tensor({static_cast<double>(group_std.size(0)), static_cast<double>(completions), static_cast<double>(clipped),
                                           generation_seconds, seconds},
                                          at::kDouble)});
    std::vector<double> reward_sums;
    for (double mean : reward_means) reward_sums.push_back(mean * static_cast<double>(completions));
    sums = at::cat({sums, at::tensor(reward_sums, at::kDouble)});
    sum_over_ranks(sums);
    auto v = [&](std::int64_t i) { return sums[i].item<double>(); };
    const double groups = v(12), all = v(13), tokens = v(5), clip = std::max(v(8), 1.0);
    const double loss = v(9) / static_cast<double>(g.num_iterations);
    if (!std::isfinite(loss)) throw TrainingError("step " + std::to_string(step + 1) + ": the loss is not finite");
    Figures f;
    f.values = {v(0) / all, v(1) / groups};
    for (std::size_t k = 0; k < reward_means.size(); ++k) f.values.push_back(v(17 + static_cast<std::int64_t>(k)) / all);
    if (g.beta != 0.0) f.values.push_back(v(2) / std::max(v(3), 1.0));
    f.values.insert(f.values.end(), {v(4) / std::max(tokens, 1.0), v(6) / clip, v(7) / clip, (v(6) + v(7)) / clip, tokens / all, v(14) / all,
                                     v(10) / groups, loss, v(15) / v(16)});
    f.tokens = v(11);
    f.grad_norm = at::cat(norms).mean().item<double>();

    if (!samples_file.empty() && (step + 1) % g.sample_every == 0) {  // a few completions with their rewards
        std::ofstream out(samples_file, std::ios::app | std::ios::binary);
        for (std::size_t i = 0; i < std::min<std::size_t>(4, r.generations.size()); ++i) {
            nlohmann::ordered_json line = {{"step", step + 1},
                                           {"prompt", prompts_.texts[static_cast<std::size_t>(prompt_of[i])]},
                                           {"response", r.generations[i].text},
                                           {"score", reward[static_cast<std::int64_t>(i)].item<double>()}};
            out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        }
        if (!out) throw std::runtime_error(samples_file.string() + ": cannot write");
    }
    return f;
}

}  // namespace amalgam
