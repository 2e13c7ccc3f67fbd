// The losses themselves: gradients against finite differences, DPO's starting point.
#include <cmath>
#include <map>

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
    ReferenceLogps reference = reference_logps(*f.model, f.examples, 1, 256, true);
    auto precomputed = make_objective(config, *f.model, 256, &reference);
    EXPECT_NEAR(precomputed->sums(f.batch).values()[0] / 2, std::log(2.0), 1e-6);  // stored in float32
}

/** Minus nothing: the sum of log p(token | everything before it) over a text's response tokens,
 *  from the full distribution of the model as it stands. */
double response_logp(TransformerModel& model, const std::vector<std::int32_t>& ids, std::size_t response_start) {
    at::Tensor t = at::tensor(std::vector<std::int64_t>(ids.begin(), ids.end())).unsqueeze(0);
    at::Tensor logp = at::log_softmax(model.logits(t, at::ones_like(t)), -1)[0];
    double sum = 0;
    for (std::size_t i = std::max<std::size_t>(response_start, 1); i < ids.size(); ++i) sum += logp[i - 1][ids[i]].item<double>();
    return sum;
}

/** KTO on four labelled completions, against TRL's formula worked here in float64: z₀ from each
 *  prompt with the previous row's completion, clamped at 0, and the losses and metrics from it. */
void expect_kto_formula(double b_scale, bool expect_clamped) {
    GradientFixture f;
    for (auto& [name, pair] : f.model->adapter()->modules) pair.b = pair.b * b_scale;
    TextEncoder encoder(*f.tokenizer, TextFormat{"Question: {prompt}\n\nAnswer: {response}"}, 256, 64);
    std::vector<TrainRow> rows = {{"Pick one.", "The left one.", "", 1, {}, true},
                                  {"Hi?", "Go away", "", 2, {}, false},
                                  {"Name a colour.", "Green, like grass.", "", 3, {}, true},
                                  {"Count to three.", "Four.", "", 4, {}, false}};
    const std::vector<TrainExample> examples = encode_rows(rows, encoder, false);
    MicroBatch batch;
    for (std::size_t i = 0; i < examples.size(); ++i) {
        batch.examples.push_back(&examples[i]);
        batch.rows.push_back(static_cast<std::int64_t>(i));
    }
    TrainConfig config;
    config.stage = Stage::Kto;
    config.kto = {0.3, 1.5, 0.7, false};
    config.max_length = 64;
    auto objective = make_objective(config, *f.model, 256, nullptr);
    const std::vector<double> sums = objective->sums(batch).values();

    c10::NoGradGuard no_grad;
    const std::size_t n = examples.size();
    std::vector<double> policy(n), reference(n), policy_kl(n), reference_kl(n);
    for (std::size_t i = 0; i < n; ++i) {
        const EncodedText& own = examples[i].chosen;
        const EncodedText& other = examples[(i + n - 1) % n].chosen;  // the previous row's completion
        std::vector<std::int32_t> kl(own.ids.begin(), own.ids.begin() + static_cast<std::ptrdiff_t>(own.response_start));
        kl.insert(kl.end(), other.ids.begin() + static_cast<std::ptrdiff_t>(other.response_start), other.ids.end());
        policy[i] = response_logp(*f.model, own.ids, own.response_start);
        policy_kl[i] = response_logp(*f.model, kl, own.response_start);
        ScopedAdapter off(*f.model, "");
        reference[i] = response_logp(*f.model, own.ids, own.response_start);
        reference_kl[i] = response_logp(*f.model, kl, own.response_start);
    }
    double raw_kl = 0;
    for (std::size_t i = 0; i < n; ++i) raw_kl += (policy_kl[i] - reference_kl[i]) / static_cast<double>(n);
    EXPECT_EQ(raw_kl < 0, expect_clamped) << "raw KL " << raw_kl;
    const double kl = std::max(raw_kl, 0.0), beta = 0.3;
    auto sigmoid = [](double x) { return 1 / (1 + std::exp(-x)); };
    double loss = 0, chosen_rewards = 0, rejected_rewards = 0, chosen_logps = 0, rejected_logps = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double r = policy[i] - reference[i];
        if (rows[i].desirable) {
            loss += 1.5 * (1 - sigmoid(beta * (r - kl)));
            chosen_rewards += beta * r;
            chosen_logps += policy[i];
        } else {
            loss += 0.7 * (1 - sigmoid(beta * (kl - r)));
            rejected_rewards += beta * r;
            rejected_logps += policy[i];
        }
    }
    std::map<std::string, double> logged;
    for (const auto& [name, value] : objective->logged(sums, objective->units(batch))) logged[name] = value;
    const std::map<std::string, double> expected = {{"loss", loss / 4},
                                                    {"kl", kl},
                                                    {"rewards/chosen", chosen_rewards / 2},
                                                    {"rewards/rejected", rejected_rewards / 2},
                                                    {"rewards/margins", (chosen_rewards - rejected_rewards) / 2},
                                                    {"logps/chosen", chosen_logps / 2},
                                                    {"logps/rejected", rejected_logps / 2}};
    ASSERT_EQ(logged.size(), expected.size());
    for (const auto& [name, value] : expected) EXPECT_NEAR(logged[name], value, 1e-6) << name;
    EXPECT_GT(std::abs(chosen_rewards - rejected_rewards), 1e-4);  // the adapter moved the policy: a real check
}

TEST(Kto, LossAndMetricsEqualTrlsFormulaWorkedByHand) { expect_kto_formula(1.0, false); }

TEST(Kto, ANegativeKlEstimateIsClampedAtZero) { expect_kto_formula(-1.0, true); }

TEST(Kto, MismatchedTextsPairEachPromptWithThePreviousCompletion) {
    EncodedText a{{1, 2, 3, 4}, 2, false}, b{{5, 6, 7}, 1, false}, c{{8, 9}, 1, false};
    TrainExample ea{a, {}, true}, eb{b, {}, false}, ec{c, {}, true};
    const auto texts = mismatched_texts({&ea, &eb, &ec}, 4);
    ASSERT_EQ(texts.size(), 3u);
    EXPECT_EQ(texts[0].ids, (std::vector<std::int32_t>{1, 2, 9}));     // a's prompt, c's completion
    EXPECT_EQ(texts[1].ids, (std::vector<std::int32_t>{5, 3, 4}));     // b's prompt, a's completion
    EXPECT_EQ(texts[2].ids, (std::vector<std::int32_t>{8, 6, 7}));     // c's prompt, b's completion
    EXPECT_EQ(texts[1].response_start, 1u);
    EXPECT_EQ(mismatched_texts({&ea, &eb}, 2)[1].ids, (std::vector<std::int32_t>{5, 3}));  // cut to the length
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
