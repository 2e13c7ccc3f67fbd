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

}  // namespace

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
        case Stage::Ppo: break;  // PPO's losses come from its experience (ppo_experience.h)
    }
    throw std::logic_error("unknown stage");
}

ReferenceLogps reference_logps(TransformerModel& model, const std::vector<TrainExample>& examples, std::int64_t batch_size,
                               std::int32_t pad_id) {
    AsReference as_reference(model);
    std::vector<at::Tensor> chosen, rejected;
    for (std::size_t start = 0; start < examples.size(); start += static_cast<std::size_t>(batch_size)) {
        MicroBatch batch;
        for (std::size_t i = start; i < std::min(examples.size(), start + static_cast<std::size_t>(batch_size)); ++i)
            batch.examples.push_back(&examples[i]);
        at::Tensor sums = response_logps(model, make_batch(texts_of(batch, true), pad_id, model.device())).sums;
        const auto n = static_cast<std::int64_t>(batch.examples.size());
        chosen.push_back(sums.slice(0, 0, n).to(at::kFloat));
        rejected.push_back(sums.slice(0, n).to(at::kFloat));
    }
    return {at::cat(chosen), at::cat(rejected)};
}

}  // namespace amalgam
