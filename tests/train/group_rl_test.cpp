// GRPO and RLOO: the advantages, the token losses and the rule rewards against the formulas
// worked by hand, and whole runs on the tiny model.
#include <cmath>

#include <gtest/gtest.h>

#include "core/train/estimate.h"
#include "core/train/group_rl_math.h"
#include "core/train/reward_rules.h"
#include "core/util/yaml_json.h"
#include "train_support.h"

namespace amalgam {
namespace {

using namespace group_rl;
using test::quick_config;
using test::TempDir;
using test::TinyModel;

std::vector<double> values(const at::Tensor& t) {
    const at::Tensor c = t.to(at::kDouble).contiguous().view({-1});
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

void expect_near(const at::Tensor& got, const std::vector<double>& want, double tolerance = 1e-9) {
    const auto v = values(got);
    ASSERT_EQ(v.size(), want.size());
    for (std::size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], want[i], tolerance) << "entry " << i;
}

const at::Tensor kRewards = at::tensor({1.0, 2.0, 3.0, 4.0, 0.5, 0.5, 0.5, 0.5}, at::kDouble);  // two groups of four

TEST(GroupAdvantages, GrpoScalesByTheGroupsOrTheBatchsDeviationOrNot) {
    const double s1 = std::sqrt(5.0 / 3.0);  // Bessel-corrected deviation of 1, 2, 3, 4
    expect_near(grpo_advantages(kRewards, 4, ScaleRewards::Group),
                {-1.5 / (s1 + 1e-4), -0.5 / (s1 + 1e-4), 0.5 / (s1 + 1e-4), 1.5 / (s1 + 1e-4), 0, 0, 0, 0});
    double mean = 0, squares = 0;
    for (double r : values(kRewards)) mean += r / 8;
    for (double r : values(kRewards)) squares += (r - mean) * (r - mean);
    const double batch = std::sqrt(squares / 7);
    expect_near(grpo_advantages(kRewards, 4, ScaleRewards::Batch),
                {-1.5 / (batch + 1e-4), -0.5 / (batch + 1e-4), 0.5 / (batch + 1e-4), 1.5 / (batch + 1e-4), 0, 0, 0, 0});
    expect_near(grpo_advantages(kRewards, 4, ScaleRewards::None), {-1.5, -0.5, 0.5, 1.5, 0, 0, 0, 0});
}

TEST(GroupAdvantages, RlooSubtractsTheMeanOfTheOthers) {
    // 1 - (2 + 3 + 4) / 3 = -2, 2 - 8/3, 3 - 7/3, 4 - 2; the constant group gives 0.
    const std::vector<double> raw = {-2.0, 2.0 - 8.0 / 3.0, 3.0 - 7.0 / 3.0, 2.0, 0, 0, 0, 0};
    expect_near(rloo_advantages(kRewards, 4, false), raw);
    double mean = 0, squares = 0;
    for (double a : raw) mean += a / 8;
    for (double a : raw) squares += (a - mean) * (a - mean);
    std::vector<double> normalized;
    for (double a : raw) normalized.push_back((a - mean) / (std::sqrt(squares / 7) + 1e-4));
    expect_near(rloo_advantages(kRewards, 4, true), normalized);
}

TEST(GroupLoss, TokenTermsClipBothSidesAndAddTheK3Kl) {
    // Ratios e^0.3 (above 1 + 0.2), e^-0.3 (below 1 - 0.2) and e^0.1 (inside), for positive and negative advantages.
    const at::Tensor logps = at::tensor({0.3, -0.3, 0.1, 0.3, -0.3, 0.1}, at::kDouble).view({2, 3});
    const at::Tensor old = at::zeros({2, 3}, at::kDouble), ref = at::full({2, 3}, 0.05, at::kDouble);
    const at::Tensor advantages = at::tensor({2.0, -1.0}, at::kDouble);
    const TokenTerms t = grpo_token_terms(logps, old, ref, advantages, 0.2, 0.28, 0.5);
    std::vector<double> want;
    const double lp[2][3] = {{0.3, -0.3, 0.1}, {0.3, -0.3, 0.1}}, adv[2] = {2.0, -1.0};
    for (int b = 0; b < 2; ++b)
        for (int k = 0; k < 3; ++k) {
            const double ratio = std::exp(lp[b][k]), clipped = std::min(std::max(ratio, 0.8), 1.28);
            const double surrogate = -std::min(ratio * adv[b], clipped * adv[b]);
            const double kl = std::exp(0.05 - lp[b][k]) - (0.05 - lp[b][k]) - 1;
            want.push_back(surrogate + 0.5 * kl);
        }
    expect_near(t.loss, want);
    // Clipped where the clip binds: above 1 + ε_high with A > 0, below 1 - ε_low with A < 0.
    expect_near(t.high_clipped, {1, 0, 0, 0, 0, 0});
    expect_near(t.low_clipped, {0, 0, 0, 0, 1, 0});
    // No reference and β = 0: the surrogate alone, and no KL.
    expect_near(grpo_token_terms(logps, old, at::Tensor(), advantages, 0.2, 0.28, 0.0).kl, {0, 0, 0, 0, 0, 0});
}

TEST(GroupLoss, EachLossTypeNormalisesAsTrlDoes) {
    const at::Tensor token_loss = at::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, at::kDouble).view({2, 3});
    const at::Tensor mask = at::tensor({1.0, 1.0, 0.0, 1.0, 1.0, 1.0}, at::kDouble).view({2, 3});
    // grpo: each sequence's token mean, summed (the step divides by its sequences).
    EXPECT_DOUBLE_EQ(reduce_loss(token_loss, mask, LossType::Grpo, 10).item<double>(), 1.5 + 5.0);
    EXPECT_DOUBLE_EQ(loss_units(mask, LossType::Grpo), 2.0);
    // dr_grpo: the token sum over the longest completion allowed (and the sequences).
    EXPECT_DOUBLE_EQ(reduce_loss(token_loss, mask, LossType::DrGrpo, 10).item<double>(), 18.0 / 10);
    EXPECT_DOUBLE_EQ(loss_units(mask, LossType::DrGrpo), 2.0);
    // dapo: the token sum over the step's tokens.
    EXPECT_DOUBLE_EQ(reduce_loss(token_loss, mask, LossType::Dapo, 10).item<double>(), 18.0);
    EXPECT_DOUBLE_EQ(loss_units(mask, LossType::Dapo), 5.0);
}

TEST(GroupLoss, RlooClipsTheRatioOfWholeCompletions) {
    const at::Tensor logps = at::tensor({0.2, 0.2, 9.0, -0.1, 0.0, 0.0}, at::kDouble).view({2, 3});
    const at::Tensor mask = at::tensor({1.0, 1.0, 0.0, 1.0, 1.0, 0.0}, at::kDouble).view({2, 3});
    const at::Tensor loss = rloo_sequence_loss(logps, at::zeros({2, 3}, at::kDouble), at::tensor({1.0, -2.0}, at::kDouble), mask, 0.2, 0.2);
    // Ratios e^0.4 (clipped to 1.2 for A = 1) and e^-0.1 (inside the clip).
    expect_near(loss, {-1.2, 2.0 * std::exp(-0.1)});
}

/** What `read` refuses, or "accepted". */
template <class Read>
std::string config_error(Read read) {
    try {
        read();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "accepted";
}

std::vector<RewardSpec> specs(const std::string& yaml) { return read_reward_specs(yaml_to_json(yaml, "r.yaml").value["rewards"], "grpo.rewards", "/runs"); }

TEST(RewardRules, EachRuleScoresAsTheConfigSaysAndTheNamesNumberRepeats) {
    const auto s = specs("rewards:\n  - {contains: green}\n  - {regex: \"^[A-Z][^.]*\\\\.$\", weight: 0.2}\n  - {match_field: answer}\n"
                         "  - {length: [2, 4]}\n  - {banned: [foo, bar]}\n  - {contains: blue, weight: 0.5}\n  - {model: rm/adapter}\n");
    ASSERT_EQ(s.size(), 7u);
    const nlohmann::json row = {{"answer", " Paris "}};
    EXPECT_EQ(rule_reward(s[0], "a green leaf", 3, row), 1.0);
    EXPECT_EQ(rule_reward(s[0], "a red leaf", 3, row), 0.0);
    EXPECT_EQ(rule_reward(s[1], "A sentence.", 2, row), 1.0);
    EXPECT_EQ(rule_reward(s[1], "a sentence.", 2, row), 0.0);
    EXPECT_EQ(rule_reward(s[2], "Paris\n", 1, row), 1.0);
    EXPECT_EQ(rule_reward(s[2], "Lyon", 1, row), 0.0);
    EXPECT_EQ(rule_reward(s[2], "Paris", 1, nlohmann::json::object()), 0.0);
    EXPECT_EQ(rule_reward(s[3], "x", 2, row), 1.0);
    EXPECT_EQ(rule_reward(s[3], "x", 5, row), 0.0);
    EXPECT_EQ(rule_reward(s[4], "a bar", 2, row), -1.0);
    EXPECT_EQ(rule_reward(s[4], "a pub", 2, row), 0.0);
    EXPECT_DOUBLE_EQ(s[1].weight, 0.2);
    EXPECT_EQ(s[0].name, "contains");
    EXPECT_EQ(s[5].name, "contains_2");
    EXPECT_EQ(s[6].text, "/runs/rm/adapter");
    EXPECT_EQ(reward_specs_json(s)[3], (nlohmann::json{{"length", {2, 4}}, {"weight", 1.0}}));
}

TEST(RewardRules, AMalformedRewardIsRefusedNamingItsKey) {
    auto error_of = [](const std::string& yaml) { return config_error([&] { specs(yaml); }); };
    EXPECT_EQ(error_of("rewards:\n  - {regex: \"(unclosed\"}\n").rfind("grpo.rewards[0].regex: is not a valid regular expression", 0), 0u);
    EXPECT_EQ(error_of("rewards:\n  - {length: [8, 4]}\n"), "grpo.rewards[0].length: must be [low, high], whole numbers with 0 <= low <= high");
    EXPECT_EQ(error_of("rewards:\n  - {contains: a, regex: b}\n"), "grpo.rewards[0]: names two rewards (contains and regex): one per entry");
    EXPECT_EQ(error_of("rewards:\n  - {weight: 2}\n"), "grpo.rewards[0]: names no reward (model, contains, regex, match_field, length or banned)");
    EXPECT_EQ(error_of("rewards:\n  - {contains: a, scale: 2}\n").rfind("grpo.rewards[0].scale: unknown key", 0), 0u);
    EXPECT_EQ(error_of("rewards: []\n").rfind("grpo.rewards: must be a list of rewards", 0), 0u);
}

TrainConfig parse(const std::string& yaml) { return train_config_from_json(yaml_to_json(yaml, "c.yaml").value, "/base"); }

TEST(GroupConfig, SectionsUseTrlsNamesAndDefaults) {
    const TrainConfig grpo = parse("stage: grpo\nmodel: m\ndata: d.jsonl\nbatch_size: 16\n"
                                   "grpo: {num_generations: 4, beta: 0.04, epsilon_high: 0.28, loss_type: dr_grpo, scale_rewards: none,"
                                   " num_iterations: 2, rewards: [{contains: green}]}\n");
    EXPECT_EQ(grpo.group.num_generations, 4);
    EXPECT_DOUBLE_EQ(grpo.group.beta, 0.04);
    EXPECT_DOUBLE_EQ(*grpo.group.epsilon_high, 0.28);
    EXPECT_EQ(grpo.group.loss_type, LossType::DrGrpo);
    EXPECT_EQ(grpo.group.scale_rewards, ScaleRewards::None);
    EXPECT_EQ(grpo.group.num_iterations, 2);
    EXPECT_EQ(grpo.eval_every, 100);
    EXPECT_EQ(train_config_from_json(grpo.to_json(), "/elsewhere").to_json(), grpo.to_json());
    const TrainConfig rloo = parse("stage: rloo\nmodel: m\ndata: d.jsonl\nrloo: {rewards: [{model: rm}]}\n");
    EXPECT_EQ(rloo.group.num_generations, 2);
    EXPECT_DOUBLE_EQ(rloo.group.beta, 0.05);
    EXPECT_EQ(rloo.batch_size, 16);
    EXPECT_EQ(rloo.group.rewards[0].text, "/base/rm");
    EXPECT_EQ(train_config_from_json(rloo.to_json(), "/elsewhere").to_json(), rloo.to_json());
    auto error_of = [](const std::string& yaml) { return config_error([&] { parse(yaml); }); };
    EXPECT_EQ(error_of("stage: grpo\nmodel: m\ndata: d\n"), "grpo: is missing: it names the rewards (grpo: {rewards: [...]})");
    EXPECT_EQ(error_of("stage: grpo\nmodel: m\ndata: d\nbatch_size: 12\ngrpo: {rewards: [{contains: a}]}\n"),
              "batch_size: must be a multiple of grpo.num_generations (8): a step samples batch_size completions, num_generations per prompt");
    EXPECT_EQ(error_of("stage: rloo\nmodel: m\ndata: d\nrloo: {loss_type: dapo, rewards: [{contains: a}]}\n").rfind("rloo.loss_type: unknown key", 0), 0u);
    EXPECT_EQ(error_of("stage: grpo\nmodel: m\ndata: d\nrloo: {rewards: [{contains: a}]}\ngrpo: {rewards: [{contains: a}]}\n"),
              "rloo: is the rloo stage's section; this run's stage is grpo");
}

TEST(GroupConfig, TheEstimateCountsTheGroupsPassesAndItsMicroBatch) {
    const ModelConfig shape = preset_config(ModelType::Llama, "small");
    TrainConfig c = stage_defaults(Stage::Grpo);
    c.batch_size = 32;
    c.group.rewards = specs("rewards:\n  - {contains: a}\n");
    const TrainEstimate base = estimate_training(shape, c, at::kFloat, 1e12);
    c.group.beta = 0.04;  // the reference's pass
    const TrainEstimate with_reference = estimate_training(shape, c, at::kFloat, 1e12);
    c.group.rewards = specs("rewards:\n  - {contains: a}\n  - {model: rm}\n");  // a reward model's pass
    const TrainEstimate with_model = estimate_training(shape, c, at::kFloat, 1e12);
    c.group.num_iterations = 2;  // the old policy's pass, and a second pass both ways
    const TrainEstimate twice = estimate_training(shape, c, at::kFloat, 1e12);
    EXPECT_GT(with_reference.flops_per_step, base.flops_per_step);
    EXPECT_NEAR(with_model.flops_per_step - with_reference.flops_per_step, with_reference.flops_per_step - base.flops_per_step, 1e-6 * base.flops_per_step);
    EXPECT_GT(twice.flops_per_step, 2 * with_model.flops_per_step - base.flops_per_step);
    c.grad_accum = 4;  // a quarter of the completions in each backward pass
    EXPECT_NEAR(estimate_training(shape, c, at::kFloat, 1e12).activation_bytes, twice.activation_bytes / 4, 1e-6 * twice.activation_bytes);
}

/** A GRPO or RLOO run, rewarded for writing the letter a. */
TrainConfig marker_config(Stage stage, const TinyModel& m, const TempDir& dir) {
    TrainConfig c = quick_config(stage, m.dir.path(), dir.write("prompts.jsonl", test::fixed_corpus()));
    c.batch_size = 32;
    c.max_length = 128;
    c.optimizer.lr = 2e-2;
    c.max_steps = 60;
    c.log_every = 15;
    c.eval_every = 0;
    c.group.num_generations = stage == Stage::Grpo ? 8 : 4;
    c.group.max_completion_length = 8;
    c.group.beta = 0.04;
    c.group.rewards = specs("rewards:\n  - {contains: a}\n");
    return c;
}

class GroupRuns : public ::testing::TestWithParam<Stage> {};

TEST_P(GroupRuns, ARuleRewardRisesOverTraining) {
    TinyModel m(ModelType::Llama, preset_config(ModelType::Llama, "small"));
    TempDir dir;
    TrainOptions options;
    options.run_dir = dir / "run";
    TrainConfig c = marker_config(GetParam(), m, dir);
    c.group.beta = 0.0;  // GRPO's default: nothing holds the policy back
    c.optimizer.lr = 1e-2;
    c.max_steps = 24;
    c.log_every = 6;
    train(c, options);
    const auto lines = test::metrics_of(dir / "run");
    ASSERT_EQ(lines.size(), 4u);
    const double first = lines.front()["rewards/contains/mean"], last = lines.back()["rewards/contains/mean"];
    EXPECT_LT(first, 0.5);
    EXPECT_GT(last, 0.8) << "from " << first;
    EXPECT_TRUE(std::filesystem::exists(dir / "run" / "samples.jsonl"));
}

TEST_P(GroupRuns, TheKlIsZeroAtTheFirstStep) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig c = marker_config(GetParam(), m, dir);
    c.max_steps = 1;
    c.log_every = 1;
    TrainOptions options;
    options.run_dir = dir / "run";
    train(c, options);
    EXPECT_EQ(test::metrics_of(dir / "run").front()["kl"].get<double>(), 0.0);
}

TEST_P(GroupRuns, StoppedAndResumedEqualsStraightToTheByte) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig c = marker_config(GetParam(), m, dir);
    c.lora.dropout = 0.1;
    c.max_steps = 6;
    c.save_every = 2;
    c.log_every = 1;
    c.grad_accum = 2;
    c.group.num_iterations = 2;
    c.group.sample_every = 2;
    test::expect_exact_resume(c, 3);
}

TEST_P(GroupRuns, AnEpochsLastSmallerBatchSplitsIntoWhatMicroBatchesItFills) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig c = marker_config(GetParam(), m, dir);
    c.batch_size = 12;  // 3 of the 4 prompts a step: the second step has 1, 4 completions for 6 micro-batches
    c.group.num_generations = 4;
    c.grad_accum = 6;
    c.max_steps = 3;
    c.log_every = 1;
    TrainOptions options;
    options.run_dir = dir / "run";
    EXPECT_TRUE(train(c, options).finished);
    const auto lines = test::metrics_of(dir / "run");
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_DOUBLE_EQ(lines[1]["epoch"].get<double>(), 1.0);
    for (const auto& line : lines) {
        EXPECT_TRUE(std::isfinite(line["loss"].get<double>()));
        EXPECT_GT(line["entropy"].get<double>(), 1.0) << "every completion went through a micro-batch";
    }
}

INSTANTIATE_TEST_SUITE_P(BothMethods, GroupRuns, ::testing::Values(Stage::Grpo, Stage::Rloo),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(GroupRuns, ARewardModelAdapterScoresAndOneWithoutAHeadIsRefused) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig rm = quick_config(Stage::RewardModel, m.dir.path(), dir.write("pairs.jsonl", test::marked_pairs(16, 5)));
    rm.max_steps = 2;
    TrainOptions rm_options;
    rm_options.run_dir = dir / "rm";
    train(rm, rm_options);
    TrainConfig c = marker_config(Stage::Grpo, m, dir);
    c.max_steps = 2;
    c.group.rewards = specs("rewards:\n  - {model: " + (dir / "rm" / "adapter").string() + "}\n  - {contains: a, weight: 0.5}\n"
                            "  - {match_field: response, weight: 2}\n");  // the rows' own fields are read for it
    TrainOptions options;
    options.run_dir = dir / "run";
    train(c, options);
    const auto last = test::metrics_of(dir / "run").back();
    EXPECT_NE(last["rewards/model/mean"].get<double>(), 0.0);
    EXPECT_NEAR(last["reward"].get<double>(), last["rewards/model/mean"].get<double>() + 0.5 * last["rewards/contains/mean"].get<double>(), 1e-5);

    c.group.rewards = specs("rewards:\n  - {model: " + (dir / "rm" / "adapter").string() + "}\n");
    TrainConfig sft = quick_config(Stage::Sft, m.dir.path(), dir.write("sft.jsonl", test::fixed_corpus()));
    sft.max_steps = 1;
    TrainOptions sft_options;
    sft_options.run_dir = dir / "sft";
    train(sft, sft_options);
    c.group.rewards = specs("rewards:\n  - {model: " + (dir / "sft" / "adapter").string() + "}\n");
    options.run_dir = dir / "refused";
    try {
        train(c, options);
        FAIL() << "an SFT adapter was taken for a reward model";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("not a reward model"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace amalgam
