// The losses themselves: gradients against finite differences, DPO's starting point.
#include <cmath>

#include <c10/core/GradMode.h>
#include <gtest/gtest.h>

#include "core/tokenize/tokenizer.h"
#include "core/model/transformer.h"
#include "core/train/objectives.h"
#include "train_support.h"

namespace amalgam {
namespace {

using test::TempDir;
using test::TinyModel;

/** A float64 tiny model with a trained-looking adapter (B random) and a score head. */
struct GradientFixture {
    TinyModel files{ModelType::Llama};
    std::unique_ptr<TransformerModel> model = TransformerModel::load(files.dir.path(), at::kCPU, Precision::Float64);
    std::unique_ptr<Tokenizer> tokenizer = load_tokenizer(files.dir.path());
    std::vector<TrainExample> examples;
    MicroBatch batch;

    GradientFixture() {
        model->add_lora({4, 8, 0.0, {"q_proj", "v_proj", "down_proj"}}, 7);
        at::manual_seed(3);
        for (auto& [name, pair] : model->adapter()->modules) pair.b = at::randn_like(pair.b) * 0.2;
        ScalarHead head = ScalarHead::create("score", model->config().hidden_size, false, 5);
        head.weight = head.weight.to(at::kDouble);
        model->adapter()->score_head = head;
        TextEncoder encoder(*tokenizer, TextFormat{"Question: {prompt}\n\nAnswer: {response}"}, 256, 64);
        examples = encode_rows({{"Pick one.", "The left one.", "No.", 1, {}}, {"Hi?", "Hello!", "Go away", 2, {}}}, encoder, true);
        for (const auto& e : examples) batch.examples.push_back(&e);
        batch.rows = {0, 1};
    }

    /** Each trainable tensor once: an adapted projection's A and B, and the head. */
    std::vector<std::pair<std::string, at::Tensor>> parameters() {
        auto& pair = model->adapter()->modules.begin()->second;
        return {{"lora A", pair.a}, {"lora B", pair.b}, {"score head", model->score_head()->weight}};
    }
};

class Gradients : public ::testing::TestWithParam<Stage> {};

TEST_P(Gradients, AgreeWithFiniteDifferencesInFloat64) {
    GradientFixture f;
    TrainConfig config;
    config.stage = GetParam();
    auto objective = make_objective(config, *f.model, 256, nullptr);
    auto params = f.parameters();
    for (auto& [name, t] : params) t.requires_grad_(true);
    objective->sums(f.batch).loss.backward();
    std::vector<at::Tensor> grads;
    for (auto& [name, t] : params) grads.push_back(t.grad().defined() ? t.grad().clone() : at::Tensor());

    c10::NoGradGuard no_grad;
    const double eps = 1e-6;
    for (std::size_t p = 0; p < params.size(); ++p) {
        at::Tensor flat = params[p].second.view({-1});
        const bool head = params[p].first == "score head";
        if (head && config.stage != Stage::RewardModel) continue;  // only the reward model reads the head
        for (std::int64_t i : {std::int64_t(0), flat.numel() / 3, flat.numel() - 1}) {
            const double original = flat[i].item<double>();
            flat[i].fill_(original + eps);
            const double up = objective->sums(f.batch).loss.item<double>();
            flat[i].fill_(original - eps);
            const double down = objective->sums(f.batch).loss.item<double>();
            flat[i].fill_(original);
            const double numeric = (up - down) / (2 * eps);
            const double analytic = grads[p].view({-1})[i].item<double>();
            EXPECT_NEAR(analytic, numeric, 1e-6 * std::max(1.0, std::abs(numeric))) << params[p].first << " entry " << i;
        }
        EXPECT_GT(grads[p].abs().max().item<double>(), 1e-8) << params[p].first << " has no gradient at all";
    }
}

INSTANTIATE_TEST_SUITE_P(EveryStage, Gradients, ::testing::Values(Stage::Sft, Stage::RewardModel, Stage::Dpo),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(Dpo, StartsAtLn2WithZeroMargins) {
    GradientFixture f;
    for (auto& [name, pair] : f.model->adapter()->modules) pair.b.zero_();
    TrainConfig config;
    config.stage = Stage::Dpo;
    auto objective = make_objective(config, *f.model, 256, nullptr);
    const std::vector<double> sums = objective->sums(f.batch).values();
    const auto names = objective->metric_names();
    EXPECT_DOUBLE_EQ(sums[0] / 2, std::log(2.0));
    EXPECT_EQ(sums[std::find(names.begin(), names.end(), "rewards/margins") - names.begin()], 0.0);
    EXPECT_EQ(sums[std::find(names.begin(), names.end(), "rewards/accuracies") - names.begin()], 0.0);

    // A reference computed once, before training, in other batches, agrees.
    ReferenceLogps reference = reference_logps(*f.model, f.examples, 1, 256);
    auto precomputed = make_objective(config, *f.model, 256, &reference);
    EXPECT_NEAR(precomputed->sums(f.batch).values()[0] / 2, std::log(2.0), 1e-6);  // stored in float32
}

TEST(Sft, LossCountsResponseTokensOnly) {
    GradientFixture f;
    TrainConfig config;
    auto objective = make_objective(config, *f.model, 256, nullptr);
    const EncodedText& text = f.examples[0].chosen;
    MicroBatch one{{&f.examples[0]}, {0}};
    EXPECT_EQ(objective->units(one), static_cast<double>(text.ids.size() - text.response_start));
    // Changing a prompt token's target changes nothing the loss reads beyond the context:
    // the loss equals minus the sum of log p(response token | everything before it).
    c10::NoGradGuard no_grad;
    at::Tensor ids = at::tensor(std::vector<std::int64_t>(text.ids.begin(), text.ids.end())).unsqueeze(0);
    at::Tensor logp = at::log_softmax(f.model->logits(ids, at::ones_like(ids)), -1)[0];
    double expected = 0;
    for (std::size_t t = text.response_start; t < text.ids.size(); ++t) expected -= logp[t - 1][text.ids[t]].item<double>();
    EXPECT_NEAR(objective->sums(one).values()[0], expected, 1e-9);
}

}  // namespace
}  // namespace amalgam
