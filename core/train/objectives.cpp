#include "core/train/objectives.h"

#include <c10/core/GradMode.h>

namespace amalgam {
namespace {

/** The loss and the metric sums of a micro-batch, each a sum over its units. */
LossSums sums_of(const at::Tensor& loss, std::vector<at::Tensor> metrics) {
    std::vector<at::Tensor> all{loss.detach()};
    for (auto& m : metrics) all.push_back(m.detach().sum().to(loss.scalar_type()));
    return {loss, at::stack(all)};
}

/** The model as its own reference for a scope: no adapter, no gradients. */
class AsReference {
public:
    explicit AsReference(TransformerModel& model) : no_adapter_(model, "") {}

private:
    ScopedAdapter no_adapter_;
    c10::NoGradGuard no_grad_;
};

/** The chosen texts of a micro-batch, then (for pairs) the rejected ones. */
std::vector<const EncodedText*> texts_of(const MicroBatch& batch, bool with_rejected) {
    std::vector<const EncodedText*> texts;
    for (const auto* e : batch.examples) texts.push_back(&e->chosen);
    if (with_rejected)
        for (const auto* e : batch.examples) texts.push_back(&e->rejected);
    return texts;
}

class SftObjective final : public Objective {
public:
    SftObjective(TransformerModel& model, std::int32_t pad_id) : model_(model), pad_id_(pad_id) {}

    double units(const MicroBatch& batch) const override {
        double n = 0;
        for (const auto* e : batch.examples) n += static_cast<double>(e->chosen.response_tokens());
        return n;
    }
    std::vector<std::string> metric_names() const override { return {"loss", "mean_token_accuracy"}; }

    LossSums sums(const MicroBatch& batch) override {
        ResponseLogps lp = response_logps(model_, make_batch(texts_of(batch, false), pad_id_, model_.device()));
        at::Tensor loss = -lp.sums.sum();
        return sums_of(loss, {lp.correct});
    }

private:
    TransformerModel& model_;
    std::int32_t pad_id_;
};

class RewardObjective final : public Objective {
public:
    RewardObjective(TransformerModel& model, std::int32_t pad_id) : model_(model), pad_id_(pad_id) {}

    double units(const MicroBatch& batch) const override { return static_cast<double>(batch.examples.size()); }
    std::vector<std::string> metric_names() const override { return {"loss", "accuracy", "margin", "mean_reward"}; }

    LossSums sums(const MicroBatch& batch) override {
        // Chosen and rejected in one forward pass, as TRL's RewardTrainer does.
        TokenBatch tokens = make_batch(texts_of(batch, true), pad_id_, model_.device());
        at::Tensor hidden = model_.hidden_states(tokens.ids, tokens.mask, nullptr, Padding::Right);
        at::Tensor rewards = model_.score_head()->at_last_token(hidden, tokens.mask).to(widened_type(model_.dtype()));
        const std::int64_t n = static_cast<std::int64_t>(batch.examples.size());
        at::Tensor chosen = rewards.slice(0, 0, n), rejected = rewards.slice(0, n);
        at::Tensor margin = chosen - rejected;
        at::Tensor loss = -at::log_sigmoid(margin).sum();
        return sums_of(loss, {margin > 0, margin, (chosen + rejected) / 2});
    }

private:
    TransformerModel& model_;
    std::int32_t pad_id_;
};

class DpoObjective final : public Objective {
public:
    DpoObjective(TransformerModel& model, std::int32_t pad_id, double beta, const ReferenceLogps* reference)
        : model_(model), pad_id_(pad_id), beta_(beta), reference_(reference) {}

    double units(const MicroBatch& batch) const override { return static_cast<double>(batch.examples.size()); }
    std::vector<std::string> metric_names() const override {
        return {"loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected"};
    }

    LossSums sums(const MicroBatch& batch) override {
        const std::int64_t n = static_cast<std::int64_t>(batch.examples.size());
        TokenBatch tokens = make_batch(texts_of(batch, true), pad_id_, model_.device());
        at::Tensor policy = response_logps(model_, tokens).sums;
        at::Tensor ref_chosen, ref_rejected;
        if (reference_) {
            at::Tensor rows = at::tensor(batch.rows, at::kLong).to(model_.device());
            ref_chosen = reference_->chosen.index_select(0, rows).to(policy.scalar_type());
            ref_rejected = reference_->rejected.index_select(0, rows).to(policy.scalar_type());
        } else {
            // The reference is the same model with its adapter switched off: no second copy.
            AsReference reference(model_);
            at::Tensor ref = response_logps(model_, tokens).sums;
            ref_chosen = ref.slice(0, 0, n);
            ref_rejected = ref.slice(0, n);
        }
        at::Tensor chosen = policy.slice(0, 0, n), rejected = policy.slice(0, n);
        at::Tensor reward_chosen = beta_ * (chosen - ref_chosen).detach();
        at::Tensor reward_rejected = beta_ * (rejected - ref_rejected).detach();
        at::Tensor logits = (chosen - ref_chosen) - (rejected - ref_rejected);
        at::Tensor loss = -at::log_sigmoid(beta_ * logits).sum();
        return sums_of(loss, {reward_chosen, reward_rejected, reward_chosen > reward_rejected, reward_chosen - reward_rejected, chosen,
                              rejected});
    }

private:
    TransformerModel& model_;
    std::int32_t pad_id_;
    double beta_;
    const ReferenceLogps* reference_;
};

/** KTO (Ethayarajh et al., 2024) as TRL's KTOTrainer computes it. The KL term z₀ is the batch's
 *  mean of policy minus reference log-probabilities of mismatched prompt and completion pairs,
 *  without gradient and clamped at 0; a desirable completion's loss is λ_D (1 - σ(β (r - z₀))),
 *  an undesirable one's λ_U (1 - σ(β (z₀ - r))), with r its policy-to-reference log ratio. */
class KtoObjective final : public Objective {
public:
    KtoObjective(TransformerModel& model, std::int32_t pad_id, const KtoSettings& settings, std::size_t max_length,
                 const ReferenceLogps* reference)
        : model_(model), pad_id_(pad_id), settings_(settings), max_length_(max_length), reference_(reference) {}

    double units(const MicroBatch& batch) const override { return static_cast<double>(batch.examples.size()); }
    std::vector<std::string> metric_names() const override {
        return {"loss", "kl", "rewards/chosen", "rewards/rejected", "logps/chosen", "logps/rejected", "count/chosen", "count/rejected"};
    }

    /** TRL's names: the rewards and log-probabilities averaged over the completions of their
     *  label, the margin between the two averages. */
    Logged logged(const std::vector<double>& sums, double units) const override {
        Logged out{{"loss", sums[0] / std::max(units, 1.0)}, {"kl", sums[1] / std::max(units, 1.0)}};
        const double chosen = sums[6], rejected = sums[7];
        if (chosen > 0) out.emplace_back("rewards/chosen", sums[2] / chosen);
        if (rejected > 0) out.emplace_back("rewards/rejected", sums[3] / rejected);
        if (chosen > 0 && rejected > 0) out.emplace_back("rewards/margins", sums[2] / chosen - sums[3] / rejected);
        if (chosen > 0) out.emplace_back("logps/chosen", sums[4] / chosen);
        if (rejected > 0) out.emplace_back("logps/rejected", sums[5] / rejected);
        return out;
    }

    LossSums sums(const MicroBatch& batch) override {
        const std::int64_t n = static_cast<std::int64_t>(batch.examples.size());
        const std::vector<EncodedText> mismatched = mismatched_texts(batch.examples, max_length_);
        std::vector<const EncodedText*> kl_texts;
        for (const EncodedText& t : mismatched) kl_texts.push_back(&t);
        const TokenBatch completions = make_batch(texts_of(batch, false), pad_id_, model_.device());
        const TokenBatch kl_batch = make_batch(kl_texts, pad_id_, model_.device());
        at::Tensor policy = response_logps(model_, completions).sums;
        at::Tensor policy_kl;
        {
            c10::NoGradGuard no_grad;
            policy_kl = response_logps(model_, kl_batch).sums;
        }
        at::Tensor reference, reference_kl;
        {
            AsReference as_reference(model_);
            if (reference_) {
                at::Tensor rows = at::tensor(batch.rows, at::kLong).to(model_.device());
                reference = reference_->chosen.index_select(0, rows).to(policy.scalar_type());
                reference_kl = response_logps(model_, kl_batch).sums;
            } else {  // the completions and the mismatched texts in one pass
                std::vector<const EncodedText*> both = texts_of(batch, false);
                both.insert(both.end(), kl_texts.begin(), kl_texts.end());
                const at::Tensor sums = response_logps(model_, make_batch(both, pad_id_, model_.device())).sums;
                reference = sums.slice(0, 0, n);
                reference_kl = sums.slice(0, n);
            }
        }
        const at::Tensor kl = (policy_kl - reference_kl).mean().clamp_min(0);
        std::vector<std::int64_t> labels;
        for (const auto* e : batch.examples) labels.push_back(e->desirable ? 1 : 0);
        const at::Tensor desirable = at::tensor(labels, at::kLong).to(model_.device()).to(at::kBool);
        const at::Tensor logratio = policy - reference;
        const double beta = settings_.beta;
        const at::Tensor losses = at::where(desirable, settings_.desirable_weight * (1 - at::sigmoid(beta * (logratio - kl))),
                                            settings_.undesirable_weight * (1 - at::sigmoid(beta * (kl - logratio))));
        const at::Tensor rewards = beta * logratio.detach();
        const at::Tensor chosen = desirable.to(policy.scalar_type()), rejected = 1 - chosen;
        return sums_of(losses.sum(), {kl * n, rewards * chosen, rewards * rejected, policy * chosen, policy * rejected, chosen, rejected});
    }

private:
    TransformerModel& model_;
    std::int32_t pad_id_;
    KtoSettings settings_;
    std::size_t max_length_;
    const ReferenceLogps* reference_;
};

}  // namespace

Logged per_unit(const std::vector<std::string>& names, const std::vector<double>& sums, double units) {
    Logged out;
    for (std::size_t m = 0; m < names.size(); ++m) out.emplace_back(names[m], sums[m] / std::max(units, 1.0));
    return out;
}

std::vector<EncodedText> mismatched_texts(const std::vector<const TrainExample*>& examples, std::size_t max_length) {
    std::vector<EncodedText> out;
    const std::size_t n = examples.size();
    for (std::size_t i = 0; i < n; ++i) {
        const EncodedText& prompt = examples[i]->chosen;
        const EncodedText& completion = examples[(i + n - 1) % n]->chosen;
        EncodedText t;
        t.response_start = prompt.response_start;
        t.ids.assign(prompt.ids.begin(), prompt.ids.begin() + static_cast<std::ptrdiff_t>(prompt.response_start));
        t.ids.insert(t.ids.end(), completion.ids.begin() + static_cast<std::ptrdiff_t>(completion.response_start), completion.ids.end());
        if (t.ids.size() > max_length) {
            t.ids.resize(max_length);
            t.truncated = true;
        }
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<double> LossSums::values() const {
    at::Tensor host = metrics.to(at::kCPU, at::kDouble).contiguous();
    return std::vector<double>(host.data_ptr<double>(), host.data_ptr<double>() + host.numel());
}

TokenBatch make_batch(const std::vector<const EncodedText*>& texts, std::int32_t pad_id, at::Device device) {
    std::size_t longest = 1;
    for (const auto* t : texts) longest = std::max(longest, t->ids.size());
    const auto rows = static_cast<std::int64_t>(texts.size()), cols = static_cast<std::int64_t>(longest);
    at::Tensor ids = at::full({rows, cols}, pad_id, at::kLong);
    at::Tensor mask = at::zeros({rows, cols}, at::kLong);
    auto id = ids.accessor<std::int64_t, 2>();
    auto m = mask.accessor<std::int64_t, 2>();
    std::vector<std::int64_t> predicting_rows, predicting_positions;
    TokenBatch batch;
    for (std::int64_t b = 0; b < rows; ++b) {
        const EncodedText& t = *texts[static_cast<std::size_t>(b)];
        for (std::size_t i = 0; i < t.ids.size(); ++i) {
            id[b][static_cast<std::int64_t>(i)] = t.ids[i];
            m[b][static_cast<std::int64_t>(i)] = 1;
            if (i >= t.response_start && i > 0) {  // position i - 1 predicts response token i
                predicting_rows.push_back(b);
                predicting_positions.push_back(static_cast<std::int64_t>(i) - 1);
            }
        }
    }
    batch.ids = ids.to(device);
    batch.mask = mask.to(device);
    batch.predicting_rows = at::tensor(predicting_rows, at::kLong).to(device);
    batch.predicting_positions = at::tensor(predicting_positions, at::kLong).to(device);
    return batch;
}

ResponseLogps response_logps(const TransformerModel& model, const TokenBatch& batch) {
    at::Tensor hidden = model.hidden_states(batch.ids, batch.mask, nullptr, Padding::Right);
    const at::Tensor& seq = batch.predicting_rows;
    const at::Tensor& pos = batch.predicting_positions;
    at::Tensor logits = model.lm_head(hidden.index({seq, pos})).to(widened_type(model.dtype()));
    at::Tensor targets = batch.ids.index({seq, pos + 1});
    // log p = logit - logsumexp: autograd keeps the logits alone, not a second [tokens, vocab]
    // tensor of log-probabilities as log_softmax would.
    at::Tensor token_logps = logits.gather(1, targets.unsqueeze(1)).squeeze(1) - logits.logsumexp(-1);
    const std::int64_t rows = batch.ids.size(0);
    ResponseLogps out;
    out.sums = at::zeros({rows}, token_logps.options()).index_add(0, seq, token_logps);
    out.correct = at::zeros({rows}, token_logps.options()).index_add(0, seq, (logits.argmax(1) == targets).to(token_logps.scalar_type()));
    return out;
}

std::unique_ptr<Objective> make_objective(const TrainConfig& config, TransformerModel& model, std::int32_t pad_id,
                                          const ReferenceLogps* reference) {
    switch (config.stage) {
        case Stage::Sft: return std::make_unique<SftObjective>(model, pad_id);
        case Stage::RewardModel:
            if (!model.score_head()) throw std::logic_error("a reward model needs a score head");
            return std::make_unique<RewardObjective>(model, pad_id);
        case Stage::Dpo: return std::make_unique<DpoObjective>(model, pad_id, config.dpo_beta, reference);
        case Stage::Kto: return std::make_unique<KtoObjective>(model, pad_id, config.kto, static_cast<std::size_t>(config.max_length), reference);
        case Stage::Ppo:
        case Stage::Grpo:
        case Stage::Rloo: break;  // their losses come from the completions they sample (ppo_stage.h, group_rl_stage.h)
    }
    throw std::logic_error("unknown stage");
}

ReferenceLogps reference_logps(TransformerModel& model, const std::vector<TrainExample>& examples, std::int64_t batch_size,
                               std::int32_t pad_id, bool pairs) {
    AsReference as_reference(model);
    std::vector<at::Tensor> chosen, rejected;
    for (std::size_t start = 0; start < examples.size(); start += static_cast<std::size_t>(batch_size)) {
        MicroBatch batch;
        for (std::size_t i = start; i < std::min(examples.size(), start + static_cast<std::size_t>(batch_size)); ++i)
            batch.examples.push_back(&examples[i]);
        at::Tensor sums = response_logps(model, make_batch(texts_of(batch, pairs), pad_id, model.device())).sums.to(at::kFloat);
        const auto n = static_cast<std::int64_t>(batch.examples.size());
        chosen.push_back(sums.slice(0, 0, n));
        rejected.push_back(pairs ? sums.slice(0, n) : at::zeros_like(sums));
    }
    return {at::cat(chosen), at::cat(rejected)};
}

}  // namespace amalgam
