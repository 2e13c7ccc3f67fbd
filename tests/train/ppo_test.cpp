// PPO's experience and update on tiny models: log-probabilities agree with scoring, and the
// policy learns what a reward model trained here prefers.
#include <cmath>
#include <random>

#include <c10/core/GradMode.h>
#include <gtest/gtest.h>

#include "core/model/scoring.h"
#include "core/train/objectives.h"
#include "core/train/ppo_experience.h"
#include "train_support.h"

namespace amalgam {
namespace {

using test::TempDir;
using test::TinyModel;

/** Pairs whose chosen answers are plain lowercase letters and rejected ones accented letters
 *  (bytes above 127 in UTF-8): a preference over half of a byte-level vocabulary, which a
 *  random policy samples from the start, so that PPO has something to learn from at once. */
std::string letter_pairs(int count, std::uint64_t seed) {
    static const char* accented[] = {"\u00e9", "\u00fc", "\u00e5", "\u00f1", "\u00e7", "\u00f8", "\u00e0", "\u00ee"};
    std::mt19937_64 rng(seed);
    std::string out;
    for (int i = 0; i < count; ++i) {
        std::string chosen, rejected;
        for (int k = 0; k < 6; ++k) chosen += static_cast<char>('a' + rng() % 26);
        for (int k = 0; k < 3; ++k) rejected += accented[rng() % 8];
        out += "{\"prompt\": \"say " + std::to_string(i % 7) + "\", \"chosen\": \"" + chosen + "\", \"rejected\": \"" + rejected + "\"}\n";
    }
    return out;
}

/** A tiny base with a trained reward adapter ("reward") and a fresh policy adapter ("policy"). */
struct PpoFixture {
    // The small preset: the tiny one's head is too weak to make any letter much likelier.
    TinyModel files{ModelType::Llama, preset_config(ModelType::Llama, "small")};
    TempDir dir;
    std::unique_ptr<TransformerModel> model;
    ScalarHead value_head = ScalarHead::create("v_head.summary", 256, true, 5);

    PpoFixture() {
        TrainConfig rm = test::quick_config(Stage::RewardModel, files.dir.path(), dir.write("pairs.jsonl", letter_pairs(48, 1)));
        rm.max_steps = 30;
        rm.save_every = 30;
        TrainOptions options;
        options.run_dir = dir / "rm";
        train(rm, options);
        model = TransformerModel::load(files.dir.path());
        model->load_adapter(dir / "rm" / "adapter", "reward");
        model->add_lora({8, 16, 0.0, {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}}, 3, "policy");
    }
    ppo::Models models() { return {*model, value_head}; }
};

/** Sixteen prompts in the template the reward model was trained with, as the trainer encodes them. */
std::vector<std::vector<std::int32_t>> prompts(const TinyModel& files) {
    auto tokenizer = load_tokenizer(files.dir.path());
    std::vector<std::vector<std::int32_t>> out;
    for (int i = 0; i < 16; ++i) out.push_back(tokenizer->encode("Question: say " + std::to_string(i % 7) + "\n\nAnswer: "));
    return out;
}

/** The active adapter's A and B matrices, to train. */
std::vector<Parameter> adapter_parameters(TransformerModel& model) {
    std::vector<Parameter> out;
    for (auto& [module, pair] : model.adapter()->modules) {
        out.push_back({module + ".A", pair.a, true});
        out.push_back({module + ".B", pair.b, true});
    }
    return out;
}

TEST(PpoExperience, LogprobsAreThoseOfScoringAndTheKlIsTheirDifference) {
    PpoFixture f;
    for (auto& [name, pair] : f.model->adapter()->modules) pair.b = at::randn_like(pair.b) * 0.1;  // a policy unlike the base
    ppo::ExperienceOptions o;
    o.generation.greedy = false;
    o.generation.max_new_tokens = 5;
    o.generation.seed = 4;
    const auto batch = prompts(f.files);
    ppo::Experience e = ppo::make_experience(f.models(), batch, o);
    for (std::size_t b = 0; b < batch.size(); ++b) {
        const auto row = static_cast<std::int64_t>(b);
        const std::int64_t length = e.mask[row].sum().item<double>();
        std::vector<std::int32_t> response;
        for (std::int64_t k = 0; k < length; ++k) response.push_back(static_cast<std::int32_t>(e.rollouts.ids[row][e.rollouts.prompt_width + k].item<std::int64_t>()));
        f.model->set_active_adapter("policy");
        auto policy = score_requests(*f.model, {{batch[b], {response}}}, 1)[0].logprobs[0];
        f.model->set_active_adapter("");
        auto reference = score_requests(*f.model, {{batch[b], {response}}}, 1)[0].logprobs[0];
        for (std::int64_t k = 0; k < length; ++k) {
            EXPECT_NEAR(e.logprobs[row][k].item<float>(), policy[static_cast<std::size_t>(k)], 1e-5);
            EXPECT_NEAR(e.ref_logprobs[row][k].item<float>(), reference[static_cast<std::size_t>(k)], 1e-5);
            EXPECT_NEAR(e.rollouts.logprobs[row][e.rollouts.prompt_width + k].item<float>(), policy[static_cast<std::size_t>(k)], 1e-5);
        }
        // The reward: the KL penalty on every token and the score on the last.
        const double penalty = -o.kl_coef * (policy[0] - reference[0]);
        EXPECT_NEAR(e.rewards[row][0].item<float>(), penalty + (length == 1 ? e.scores[row].item<float>() : 0.0), 1e-4);
    }
}

TEST(PpoUpdate, MovesLogprobsTheWayOfTheAdvantages) {
    PpoFixture f;
    std::vector<Parameter> parameters = adapter_parameters(*f.model);
    parameters.push_back({"v_head.summary.weight", f.value_head.weight, true});
    parameters.push_back({"v_head.summary.bias", f.value_head.bias, false});
    AdamW optimizer(parameters, OptimizerConfig{});
    ppo::ExperienceOptions o;
    o.generation.greedy = false;
    o.generation.max_new_tokens = 6;
    ppo::Experience e = ppo::make_experience(f.models(), prompts(f.files), o);
    ppo::UpdateOptions u;
    u.ppo_epochs = 2;
    u.mini_batch = 8;
    u.grad_accum = 2;
    u.lr = 1e-3;
    const ppo::UpdateStats stats = ppo::update(f.models(), optimizer, e, u);
    EXPECT_EQ(stats.optimizer_steps, 2);  // 16 rows, 8 a mini-batch, 2 mini-batches a step, 2 epochs
    EXPECT_NEAR(stats.ratio, 1.0, 0.05);

    // After the update, tokens with a positive advantage became likelier and the others less
    // likely, on the whole: the policy gradient's sign.
    c10::NoGradGuard no_grad;
    f.model->set_active_adapter("policy");
    const at::Tensor rows = at::arange(e.rollouts.ids.size(0), at::kLong);
    const at::Tensor change = (ppo::policy_outputs(f.models(), e.rollouts, rows).logprobs - e.logprobs) * e.mask;
    const double up = (change * (e.advantages > 0)).sum().item<double>(), down = (change * (e.advantages < 0)).sum().item<double>();
    EXPECT_GT(up, 0.0);
    EXPECT_LT(down, 0.0);
    // The value head moved toward the returns.
    const double before = ppo::masked_mean((e.values - e.returns).pow(2), e.mask).item<double>();
    const double after = ppo::masked_mean((ppo::policy_outputs(f.models(), e.rollouts, rows).values - e.returns).pow(2), e.mask).item<double>();
    EXPECT_LT(after, before);
}

}  // namespace
}  // namespace amalgam
