// Whole runs on tiny models: they learn, resume to the same bytes, and stop cleanly on bad input.
#include <cmath>
#include <fstream>
#include <numeric>

#include <gtest/gtest.h>

#include "core/model/model_merge.h"
#include "core/model/transformer.h"
#include "core/train/checkpoint.h"
#include "core/util/data_error.h"
#include "train_support.h"

namespace amalgam {
namespace {

using test::expect_exact_resume;
using test::fixed_corpus;
using test::marked_pairs;
using test::metrics_of;
using test::quick_config;
using test::read_text;
using test::TempDir;
using test::TinyModel;

TrainSummary run(const TrainConfig& config, const std::filesystem::path& dir, std::optional<std::int64_t> stop = std::nullopt,
                 bool resume = false) {
    TrainOptions options;
    options.run_dir = dir;
    options.stop_at = stop;
    options.resume = resume;
    return train(config, options);
}

double last(const std::vector<nlohmann::json>& lines, const std::string& key) {
    for (auto it = lines.rbegin(); it != lines.rend(); ++it)
        if (it->contains(key)) return it->at(key).get<double>();
    ADD_FAILURE() << "no " << key << " in metrics";
    return NAN;
}

TEST(Learning, SftLossFallsByMoreThanHalf) {
    // The small preset: the tiny one's head is too weak (hidden 64, weights of 0.02) to be confident.
    TinyModel m(ModelType::Llama, preset_config(ModelType::Llama, "small"));
    TempDir dir;
    TrainConfig c = quick_config(Stage::Sft, m.dir.path(), dir.write("sft.jsonl", fixed_corpus()));
    c.max_steps = 40;
    c.save_every = 40;
    run(c, dir / "run");
    auto lines = metrics_of(dir / "run");
    ASSERT_EQ(lines.size(), 40u);
    const double first = lines.front()["loss"], final_loss = lines.back()["loss"];
    EXPECT_GT(first, 4.0);  // about ln 257 for a random byte-level model
    EXPECT_LT(final_loss, first / 2) << "from " << first;
    EXPECT_TRUE(std::filesystem::exists(dir / "run" / "adapter" / "adapter_model.safetensors"));
}

TEST(Learning, SftWithTheCheckpointsChatTemplateLearnsTheAssistantTurnAndRecordsTheTemplate) {
    test::ChatModel m(ModelType::Qwen3, "small");
    TempDir dir;
    TrainConfig c = quick_config(Stage::Sft, m.dir.path(), dir.write("sft.jsonl", fixed_corpus()));
    c.prompt_template = "chat";
    c.max_steps = 40;
    c.save_every = 40;
    run(c, dir / "run");
    const auto record = nlohmann::json::parse(read_text(dir / "run" / "run.json"));
    EXPECT_EQ(record["config"]["template"], "chat");
    EXPECT_EQ(record["template"], m.chat_template());
    EXPECT_NE(m.chat_template().find("<|im_start|>"), std::string::npos);
    auto lines = metrics_of(dir / "run");
    const double first = lines.front()["loss"], final_loss = lines.back()["loss"];
    EXPECT_LT(final_loss, first / 2) << "from " << first;
}

/** Trains `stage` on pairs with a learnable marker and evaluates on held-out ones; returns the metrics. */
std::vector<nlohmann::json> run_on_marked_pairs(Stage stage, std::int64_t steps, const TinyModel& m, const TempDir& dir,
                                                bool precompute_reference = false) {
    TrainConfig c = quick_config(stage, m.dir.path(), dir.write("train.jsonl", marked_pairs(64, 1)));
    c.dpo_precompute_reference = precompute_reference;
    c.eval_data = dir.write("eval.jsonl", marked_pairs(40, 2)).string();
    c.max_steps = steps;
    c.log_every = steps / 4;
    c.save_every = steps;
    run(c, dir / "run");
    return metrics_of(dir / "run");
}

TEST(Learning, RewardModelRanksHeldOutPairs) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    EXPECT_GT(last(run_on_marked_pairs(Stage::RewardModel, 48, m, dir), "eval/accuracy"), 0.95);
    // The adapter carries its head, in PEFT's sequence-classification layout.
    auto model = TransformerModel::load(m.dir.path());
    model->load_adapter(dir / "run" / "adapter");
    ASSERT_NE(model->score_head(), nullptr);
    EXPECT_NE(read_text(dir / "run" / "adapter" / "adapter_config.json").find("\"SEQ_CLS\""), std::string::npos);
}

TEST(Learning, DpoPrefersTheChosenOnHeldOutPairs) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    auto lines = run_on_marked_pairs(Stage::Dpo, 32, m, dir, true);  // eval rows score their reference as they go
    EXPECT_GT(last(lines, "eval/rewards/accuracies"), 0.95);
    EXPECT_GT(last(lines, "eval/rewards/margins"), 0.0);
}

TEST(Learning, DpoFirstStepIsLn2) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig c = quick_config(Stage::Dpo, m.dir.path(), dir.write("train.jsonl", marked_pairs(8, 1)));
    c.max_steps = 1;
    run(c, dir / "run");
    auto first = metrics_of(dir / "run").front();
    EXPECT_NEAR(first["loss"].get<double>(), std::log(2.0), 1e-7);  // computed in float32
    EXPECT_EQ(first["rewards/margins"].get<double>(), 0.0);
}

TEST(Learning, KtoRewardsTheDesirableAboveTheUndesirableOnHeldOutRows) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig c = quick_config(Stage::Kto, m.dir.path(), dir.write("unpaired.jsonl", test::marked_unpaired(96, 1)));
    c.eval_data = dir.write("eval.jsonl", marked_pairs(40, 2)).string();  // pairs, read as two labelled rows each
    c.max_steps = 48;
    c.eval_every = 16;
    c.save_every = 48;
    run(c, dir / "run");
    const auto lines = metrics_of(dir / "run");
    // Step 1: the policy is still its reference, so z₀ = r = 0 and each loss is 1 - σ(0).
    EXPECT_NEAR(lines.front()["kl"].get<double>(), 0.0, 1e-6);
    EXPECT_NEAR(lines.front()["loss"].get<double>(), 0.5, 1e-6);
    EXPECT_GT(last(lines, "eval/rewards/chosen"), last(lines, "eval/rewards/rejected"));
    EXPECT_GT(last(lines, "eval/rewards/margins"), 0.2);  // two nats of log ratio between the labels
    double late = 0;
    int count = 0;
    for (const auto& line : lines)
        if (line.contains("loss") && line["step"].get<int>() > 40) late += line["loss"].get<double>(), ++count;
    EXPECT_LT(late / count, 0.49);
}

class Resume : public ::testing::TestWithParam<Stage> {};

TEST_P(Resume, StoppedAndResumedEqualsStraightToTheByte) {
    TinyModel m(ModelType::Llama);
    TempDir data;
    const bool pairs = GetParam() != Stage::Sft;  // KTO reads each pair as two labelled completions
    TrainConfig c = quick_config(GetParam(), m.dir.path(), data.write("d.jsonl", pairs ? marked_pairs(10, 3) : fixed_corpus()));
    c.lora.dropout = 0.1;  // randomness inside steps, which resuming must replay
    c.grad_accum = 2;
    c.log_every = 3;  // a window open across the stop
    c.dpo_precompute_reference = GetParam() == Stage::Dpo;
    c.kto.precompute_ref_log_probs = GetParam() == Stage::Kto;
    c.optimizer.schedule = Schedule::Cosine;
    c.optimizer.warmup_steps = 2;
    expect_exact_resume(c, 5);
}

INSTANTIATE_TEST_SUITE_P(EveryStage, Resume, ::testing::Values(Stage::Sft, Stage::RewardModel, Stage::Dpo, Stage::Kto),
                         [](const auto& info) { return std::string(to_string(info.param)); });

/** A PPO config on the tiny model against a reward model trained here for a few steps. */
TrainConfig ppo_config(const TinyModel& m, const TempDir& dir) {
    TrainConfig rm = quick_config(Stage::RewardModel, m.dir.path(), dir.write("pairs.jsonl", marked_pairs(16, 5)));
    rm.max_steps = 4;
    TrainOptions options;
    options.run_dir = dir / "rm";
    train(rm, options);
    TrainConfig c = quick_config(Stage::Ppo, m.dir.path(), dir / "pairs.jsonl");
    c.reward = (dir / "rm" / "adapter").string();
    c.lora.dropout = 0.1;
    c.optimizer.lr = 1e-3;
    c.ppo.ppo_epochs = 2;
    c.ppo.mini_batch = 2;
    c.ppo.min_new_tokens = 3;
    c.ppo.max_new_tokens = 6;
    c.ppo.sample_every = 2;
    c.max_steps = 6;
    c.save_every = 2;
    return c;
}

TEST(Ppo, StoppedAndResumedEqualsStraightToTheByte) {
    TinyModel m(ModelType::Llama);
    TempDir data;
    expect_exact_resume(ppo_config(m, data), 3);
}

TEST(Ppo, ARunWritesItsPolicyValueHeadMetricsAndSamples) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig c = ppo_config(m, dir);
    run(c, dir / "run");
    for (const char* file : {"adapter/adapter_model.safetensors", "adapter/value_head.safetensors", "samples.jsonl"})
        EXPECT_TRUE(std::filesystem::exists(dir / "run" / file)) << file;
    auto lines = metrics_of(dir / "run");
    ASSERT_EQ(lines.size(), 6u);
    for (const char* key : {"objective/kl", "objective/entropy", "objective/scores", "objective/rlhf_reward", "objective/non_score_reward",
                            "policy/approxkl_avg", "policy/clipfrac_avg", "loss/policy_avg", "loss/value_avg", "val/ratio",
                            "val/clipfrac_avg", "kl_coef", "lr", "tokens_per_s", "generation_share"})
        EXPECT_TRUE(lines.back().contains(key)) << key;
    EXPECT_DOUBLE_EQ(lines.front()["kl_coef"].get<double>(), 0.2);  // the adaptive controller starts at its init
    EXPECT_NE(lines.back()["kl_coef"].get<double>(), 0.2);
    EXPECT_EQ(std::count(std::istreambuf_iterator<char>(*std::make_unique<std::ifstream>(dir / "run" / "samples.jsonl")), {}, '\n'), 3 * 4);
    // The policy adapter loads as any adapter, and is not the reward model's.
    auto model = TransformerModel::load(m.dir.path());
    model->load_adapter(dir / "run" / "adapter");
    EXPECT_EQ(model->score_head(), nullptr);
}

/** Answers of five random printable characters and an ending: with `sft`, rows of a prompt and
 *  such an answer, ending in the marker '!' one time in two; otherwise pairs whose chosen answer
 *  ends with the marker and whose rejected one with another printable character. */
std::string marker_rows(int count, std::uint64_t seed, bool sft) {
    std::mt19937_64 rng(seed);
    auto printable = [&] {
        for (;;)
            if (const char c = static_cast<char>(32 + rng() % 95); c != '!') return c;
    };
    std::string out;
    for (int i = 0; i < count; ++i) {
        std::string body;
        for (int k = 0; k < 5; ++k) body += printable();
        const std::string prompt = "say " + std::to_string(i), other = body + printable();
        nlohmann::json row = sft ? nlohmann::json{{"prompt", prompt}, {"response", i % 2 ? body + "!" : other}}
                                 : nlohmann::json{{"prompt", prompt}, {"chosen", body + "!"}, {"rejected", other}};
        out += row.dump() + "\n";
    }
    return out;
}

TEST(Learning, PpoRaisesTheScoreOfARewardModelThatPrizesAMarker) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    // The paper's chain on a toy task: SFT on answers of printable characters, a reward model
    // from it that prizes answers ending with the marker, then PPO from the SFT policy.
    TrainConfig sft = quick_config(Stage::Sft, m.dir.path(), dir.write("sft.jsonl", marker_rows(96, 2, true)));
    sft.lora = {8, 16, 0.0, {"q_proj", "v_proj", "lm_head"}};
    sft.batch_size = 8;
    sft.max_steps = 40;
    sft.save_every = 40;
    run(sft, dir / "sft");
    TrainConfig rm = quick_config(Stage::RewardModel, m.dir.path(), dir.write("pairs.jsonl", marker_rows(96, 3, false)));
    rm.adapter = (dir / "sft" / "adapter").string();
    rm.batch_size = 8;
    rm.max_steps = 60;
    rm.save_every = 60;
    run(rm, dir / "rm");
    EXPECT_GT(last(metrics_of(dir / "rm"), "accuracy"), 0.9);
    TrainConfig c = quick_config(Stage::Ppo, m.dir.path(), dir / "pairs.jsonl");
    c.adapter = rm.adapter;
    c.reward = (dir / "rm" / "adapter").string();
    c.lora = {8, 16, 0.0, {"q_proj", "v_proj", "lm_head"}};
    c.optimizer.lr = 3e-3;
    c.batch_size = 16;
    c.max_steps = 30;
    c.save_every = 30;
    c.ppo.adaptive_kl = false;
    c.ppo.kl_init = 0.02;
    c.ppo.ppo_epochs = 4;
    c.ppo.mini_batch = 8;
    c.ppo.min_new_tokens = c.ppo.max_new_tokens = 6;
    c.ppo.stop_at_eos = false;
    c.ppo.sample_every = 1;
    run(c, dir / "ppo");
    // The share of sampled answers that end with the marker, over the first and the last ten steps.
    std::vector<double> marked;
    std::ifstream samples(dir / "ppo" / "samples.jsonl");
    for (std::string line; std::getline(samples, line);) {
        const auto sample = nlohmann::json::parse(line);
        const std::string response = sample["response"];
        marked.push_back(!response.empty() && response.back() == '!');
    }
    ASSERT_EQ(marked.size(), 30u * 4);
    const double marked_first = std::accumulate(marked.begin(), marked.begin() + 40, 0.0) / 40;
    const double marked_last = std::accumulate(marked.end() - 40, marked.end(), 0.0) / 40;
    const auto lines = metrics_of(dir / "ppo");
    ASSERT_EQ(lines.size(), 30u);
    double first = 0, final = 0, kl = 0;
    for (std::size_t i = 0; i < 10; ++i) {
        first += lines[i]["objective/scores"].get<double>() / 10;
        final += lines[lines.size() - 10 + i]["objective/scores"].get<double>() / 10;
    }
    for (const auto& line : lines) kl += line["objective/kl"].get<double>() / static_cast<double>(lines.size());
    // Seen with the three BLAS kernel sets of one machine: the mean score rose from -2.1 to
    // between 3.9 and 6.3, and the share of marked answers from 0.375 to between 0.675 and 0.9.
    EXPECT_GT(final, first + 3.0) << "mean score of the first ten steps " << first << ", of the last ten " << final;
    EXPECT_GT(marked_last, marked_first + 0.2) << "marked answers " << marked_first << " -> " << marked_last;
    EXPECT_TRUE(std::isfinite(kl));
    EXPECT_GE(kl, 0.0);
}

TEST(Ppo, ARewardFolderWithoutAScoreHeadIsRefusedBeforeAnyRollout) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig sft = quick_config(Stage::Sft, m.dir.path(), dir.write("d.jsonl", fixed_corpus()));
    sft.max_steps = 1;
    run(sft, dir / "sft");
    TrainConfig c = quick_config(Stage::Ppo, m.dir.path(), dir / "d.jsonl");
    c.reward = (dir / "sft" / "adapter").string();
    try {
        run(c, dir / "run");
        FAIL() << "an SFT adapter was taken for a reward model";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("not a reward model"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "run"));
}

TEST(Resume, OnlyTheNewestTwoCheckpointsAreKept) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig c = quick_config(Stage::Sft, m.dir.path(), dir.write("d.jsonl", fixed_corpus()));
    c.save_every = 2;
    run(c, dir / "run");
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir / "run" / "checkpoints")) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"step-10", "step-12"}));
}

TEST(Resume, LeftoversOfAKilledCheckpointAreIgnored) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig c = quick_config(Stage::Sft, m.dir.path(), dir.write("d.jsonl", fixed_corpus()));
    run(c, dir / "straight");
    run(c, dir / "killed", 4);
    // A kill mid-checkpoint leaves a partial folder, and a half-written metrics line.
    dir.write("killed/checkpoints/.step-8.partial/adapter_model.safetensors", "trunc");
    std::ofstream(dir / "killed" / "metrics.jsonl", std::ios::app) << "{\"step\": 5, \"lo";
    run(c, dir / "killed", std::nullopt, true);
    EXPECT_FALSE(std::filesystem::exists(dir / "killed" / "checkpoints" / ".step-8.partial"));
    EXPECT_EQ(read_text(dir / "straight" / "adapter" / "adapter_model.safetensors"),
              read_text(dir / "killed" / "adapter" / "adapter_model.safetensors"));
    EXPECT_EQ(metrics_of(dir / "killed").size(), 12u);
}

TEST(Resume, RefusesAnotherConfigOrChangedData) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig c = quick_config(Stage::Sft, m.dir.path(), dir.write("d.jsonl", fixed_corpus()));
    run(c, dir / "run", 2);
    EXPECT_THROW(run(c, dir / "run"), std::runtime_error);  // without --resume
    TrainConfig other = c;
    other.optimizer.lr = 1e-3;
    EXPECT_THROW(run(other, dir / "run", std::nullopt, true), std::runtime_error);
    dir.write("d.jsonl", fixed_corpus() + R"({"prompt": "x", "response": "y"})" + "\n");
    try {
        run(c, dir / "run", std::nullopt, true);
        FAIL() << "changed data was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("training data changed"), std::string::npos) << e.what();
    }
}

TEST(BadInput, ANonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig c = quick_config(Stage::Sft, m.dir.path(), dir.write("d.jsonl", fixed_corpus()));
    c.optimizer.lr = 1e30;
    c.optimizer.max_grad_norm = 0;
    c.save_every = 1;
    try {
        run(c, dir / "run");
        FAIL() << "a diverging run finished";
    } catch (const TrainingError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("step 2: the loss is"), std::string::npos) << what;
        EXPECT_NE(what.find("checkpoints/step-1"), std::string::npos) << what;
    }
    EXPECT_EQ(latest_checkpoint(dir / "run")->filename(), "step-1");
    EXPECT_FALSE(std::filesystem::exists(dir / "run" / "adapter"));
}

TEST(BadInput, ARowWithoutItsFieldsNamesFileAndLine) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    auto data = dir.write("pairs.jsonl", marked_pairs(2, 1) + "\n" + R"({"prompt": "p", "chosen": "c"})" + "\n");
    try {
        run(quick_config(Stage::Dpo, m.dir.path(), data), dir / "run");
        FAIL() << "a row without 'rejected' was accepted";
    } catch (const DataError& e) {
        EXPECT_EQ(e.line(), 4u);
        EXPECT_NE(std::string(e.what()).find("pairs.jsonl:4: missing field 'rejected'"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "run")) << "a run that could not start left its folder";
}

TEST(Merge, MergedFolderEqualsTheAdaptedModel) {
    TinyModel m(ModelType::Llama);
    TempDir dir;
    TrainConfig c = quick_config(Stage::Sft, m.dir.path(), dir.write("d.jsonl", fixed_corpus()));
    run(c, dir / "run");
    merge_adapter_into_folder(m.dir.path(), dir / "run" / "adapter", dir / "merged");
    auto adapted = TransformerModel::load(m.dir.path());
    adapted->load_adapter(dir / "run" / "adapter");
    auto merged = TransformerModel::load(dir / "merged");
    EXPECT_EQ(merged->adapter(), nullptr);
    at::Tensor ids = test::ids_tensor(test::kIds);
    at::Tensor a = adapted->logits(ids, at::ones_like(ids)), b = merged->logits(ids, at::ones_like(ids));
    EXPECT_LE((a - b).abs().max().item<double>(), 1e-4);
    EXPECT_GT((a - TransformerModel::load(m.dir.path())->logits(ids, at::ones_like(ids))).abs().max().item<double>(), 1e-3)
        << "the adapter changed nothing, so the comparison shows nothing";
    EXPECT_THROW(merge_adapter_into_folder(m.dir.path(), dir / "run" / "adapter", dir / "merged"), std::invalid_argument);
}

}  // namespace
}  // namespace amalgam
