#include "core/train/ppo_stage.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <random>

#include "core/model/tensor_convert.h"
#include "core/train/ppo_experience.h"
#include "core/train/seed_mix.h"
#include "core/train/trainer.h"

namespace amalgam {
namespace {

/** The head's tensors on the model's device, in the float type the run trains in. */
void place(ScalarHead& head, const TransformerModel& model) {
    head.weight = head.weight.to(model.device(), widened_type(model.dtype()));
    head.bias = head.bias.to(model.device(), widened_type(model.dtype()));
}

}  // namespace

const char* const PpoStage::kValueHeadFile = "value_head.safetensors";

PpoStage::PpoStage(const TrainConfig& config, TransformerModel& model, ProcessGroup* group) : config_(config), model_(model), group_(group) {
    model_.load_adapter(config_.reward, "reward");
    if (!model_.score_head())
        throw std::runtime_error(config_.reward + ": not a reward model: the adapter has no score head (train one with stage: rm)");
    value_head_ = ScalarHead::create("v_head.summary", model_.config().hidden_size, true, seed_mix(config_.seed, 3, 0));
    place(value_head_, model_);
    kl_.adaptive = config_.ppo.adaptive_kl;
    kl_.value = config_.ppo.kl_init;
    kl_.target = config_.ppo.kl_target;
    kl_.horizon = config_.ppo.kl_horizon;
}

void PpoStage::load_prompts(const TextEncoder& encoder, std::vector<TrainExample>& examples) {
    prompts_ = load_rollout_prompts(config_.data, encoder, config_.ppo.max_new_tokens, config_.max_length, examples);
}

std::vector<std::string> PpoStage::metric_names() {
    return {"objective/kl", "objective/entropy", "objective/non_score_reward", "objective/rlhf_reward", "objective/scores",
            "policy/approxkl_avg", "policy/clipfrac_avg", "loss/policy_avg", "loss/value_avg", "val/ratio", "val/clipfrac_avg",
            "kl_coef", "generation_share"};
}

std::vector<Parameter> PpoStage::parameters() {
    return {{"v_head.summary.weight", value_head_.weight, true}, {"v_head.summary.bias", value_head_.bias, false}};
}

std::uint64_t PpoStage::rank_seed(std::uint64_t step_seed, std::uint64_t purpose) const {
    const std::uint64_t seed = seed_mix(config_.seed, step_seed, purpose);
    return group_ && group_->rank() > 0 ? seed_mix(seed, static_cast<std::uint64_t>(group_->rank()), 0) : seed;
}

PpoStage::Figures PpoStage::step(const MicroBatch& batch, const std::vector<std::int64_t>& rows_by_rank, std::int64_t step, double lr,
                                 AdamW& optimizer, const Tokenizer& tokenizer, const std::filesystem::path& samples_file) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::vector<std::int32_t>> prompts;
    for (const auto* e : batch.examples) prompts.push_back(e->chosen.ids);
    const PpoSettings& p = config_.ppo;
    const auto step_seed = static_cast<std::uint64_t>(step) + 1;
    std::mt19937_64 length_rng(seed_mix(config_.seed, step_seed, 101));  // one response length for the whole step
    const auto lengths = static_cast<std::uint64_t>(p.max_new_tokens - p.min_new_tokens + 1);
    ppo::ExperienceOptions o;
    o.generation.greedy = false;
    o.generation.top_k = static_cast<int>(p.top_k);
    o.generation.top_p = p.top_p;
    o.generation.stop_at_eos = p.stop_at_eos;
    o.generation.stop_tokens = prompts_.stop_tokens;
    o.generation.max_new_tokens = static_cast<int>(p.min_new_tokens + static_cast<std::int64_t>(length_rng() % lengths));
    o.generation.seed = rank_seed(step_seed, 102);
    o.kl_coef = kl_.value;
    o.gamma = p.gamma;
    o.lam = p.lam;
    o.forward_batch = config_.batch_size;
    o.group = group_;
    const ppo::Models models{model_, value_head_, "policy", "reward"};
    const ppo::Experience e = ppo::make_experience(models, prompts, o);
    const ppo::UpdateOptions u{p.ppo_epochs, p.mini_batch, config_.grad_accum, p.cliprange, p.cliprange_value, p.vf_coef,
                               lr, config_.optimizer.max_grad_norm, rank_seed(step_seed, 103), group_, rows_by_rank};
    const ppo::UpdateStats s = ppo::update(models, optimizer, e, u);
    // TRL's figures: sums over each response, means over the batch (over every rank's rows).
    const at::Tensor row_sums = at::stack({((e.logprobs - e.ref_logprobs) * e.mask).sum(1), (e.entropy * e.mask).sum(1),
                                           e.non_score_rewards.sum(1), e.scores});
    at::Tensor per_row;
    double tokens = e.rollouts.mask.sum().item<double>(), generation_seconds = e.generation_seconds;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::int64_t samples = config_.batch_size;
    if (!group_) {
        per_row = row_sums.mean(1).to(at::kCPU, at::kDouble);
    } else {
        const at::Tensor totals = at::cat({row_sums.sum(1).to(at::kCPU, at::kDouble),
                                           at::tensor({static_cast<double>(row_sums.size(1)), tokens, generation_seconds, seconds}, at::kDouble)});
        group_->sum({totals});
        per_row = totals.slice(0, 0, 4) / totals[4];
        tokens = totals[5].item<double>();
        generation_seconds = totals[6].item<double>();
        seconds = totals[7].item<double>();
        samples *= group_->size();
    }
    const double kl = per_row[0].item<double>(), non_score = per_row[2].item<double>(), scores = per_row[3].item<double>();
    if (!std::isfinite(s.policy_loss) || !std::isfinite(s.value_loss) || !std::isfinite(scores))
        throw TrainingError("step " + std::to_string(step + 1) + ": the loss is not finite");
    Figures f;
    f.values = {kl, per_row[1].item<double>(), non_score, scores + non_score, scores, s.approxkl, s.policy_clipfrac,
                s.policy_loss, s.value_loss, s.ratio, s.value_clipfrac, kl_.value, generation_seconds / seconds};
    f.tokens = tokens;
    f.grad_norm = s.grad_norm;
    kl_.update(kl, samples);

    if (!samples_file.empty() && (step + 1) % p.sample_every == 0) {  // a few prompts with their responses and scores
        std::ofstream out(samples_file, std::ios::app | std::ios::binary);
        for (std::size_t b = 0; b < std::min<std::size_t>(4, batch.rows.size()); ++b) {
            const auto row = static_cast<std::int64_t>(b);
            std::vector<std::int32_t> response;
            for (std::int64_t k = 0; k < e.mask[row].sum().item<std::int64_t>(); ++k)
                response.push_back(static_cast<std::int32_t>(e.rollouts.ids[row][e.rollouts.prompt_width + k].item<std::int64_t>()));
            nlohmann::ordered_json line = {{"step", step + 1},
                                           {"prompt", prompts_.texts[static_cast<std::size_t>(batch.rows[b])]},
                                           {"response", tokenizer.decode(response)},
                                           {"score", e.scores[row].item<double>()}};
            out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        }
        if (!out) throw std::runtime_error(samples_file.string() + ": cannot write");
    }
    return f;
}

ExtraTensors PpoStage::value_head_tensors() const { return {kValueHeadFile, value_head_.tensors()}; }

void PpoStage::restore(const std::filesystem::path& checkpoint, const nlohmann::json& state) {
    value_head_ = ScalarHead::load(SafetensorsFile(checkpoint / kValueHeadFile), "v_head.summary", model_.config().hidden_size);
    place(value_head_, model_);
    kl_.value = state.at("kl_coef").get<double>();
}

}  // namespace amalgam
