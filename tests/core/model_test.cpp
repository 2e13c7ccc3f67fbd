#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "core/eval/winobias_evaluator.h"
#include "core/model/generation.h"
#include "core/model/model_init.h"
#include "core/model/safetensors.h"
#include "core/model/scalar_head.h"
#include "core/model/tokenizer.h"
#include "core/model/transformer_embedder.h"
#include "core/model/transformer.h"
#include "reference_model.h"
#include "test_support.h"

namespace amalgam {
namespace {

at::Tensor ids_tensor(const std::vector<int>& ids) {
    std::vector<std::int64_t> wide(ids.begin(), ids.end());
    return at::tensor(wide, at::kLong).unsqueeze(0);
}

double max_abs_difference(const at::Tensor& ours, const std::vector<std::vector<float>>& reference) {
    double worst = 0;
    auto a = ours.accessor<float, 2>();
    for (std::size_t t = 0; t < reference.size(); ++t)
        for (std::size_t v = 0; v < reference[t].size(); ++v) worst = std::max(worst, std::abs(double(a[t][v]) - reference[t][v]));
    return worst;
}

/** A random-weight model written by `model init` code, in a temporary folder. */
struct TinyModel {
    test::TempDir dir;
    TinyModel(ModelFamily family, std::optional<ModelConfig> config = std::nullopt, std::uint64_t seed = 1) {
        ModelInitOptions options;
        options.family = family;
        options.seed = seed;
        options.config = std::move(config);
        init_random_model(dir.path(), options);
    }
};

const std::vector<int> kIds = {5, 72, 101, 33, 256, 9, 0, 180, 44, 12, 7, 99};

/** Our logits for kIds against the plain reference reading the same folder. */
double parity_gap(const TinyModel& m) {
    auto model = TransformerModel::load(m.dir.path());
    at::Tensor ids = ids_tensor(kIds);
    return max_abs_difference(model->logits(ids, at::ones_like(ids))[0], test::ReferenceModel(m.dir.path()).logits(kIds));
}

TEST(ModelParity, LlamaMatchesTheReference) {
    TinyModel m(ModelFamily::Llama);
    EXPECT_EQ(TransformerModel::load(m.dir.path())->config().vocab_size, 257);
    EXPECT_LE(parity_gap(m), 1e-4);
}

TEST(ModelParity, Qwen2StyleBiasAndLlama3RopeScalingMatchTheReference) {
    ModelConfig c = preset_config(ModelFamily::Llama, "tiny");
    c.architecture = "Qwen2ForCausalLM";
    c.attention_bias = true;
    c.tie_word_embeddings = true;
    c.rope_theta = 500000.0;
    c.rope_scaling = RopeScaling{8.0, 1.0, 4.0, 8};  // a short original context so that every band is exercised
    TinyModel m(ModelFamily::Llama, c);
    EXPECT_TRUE(TransformerModel::load(m.dir.path())->config().attention_bias);
    EXPECT_LE(parity_gap(m), 1e-4);
}

TEST(ModelParity, Gpt2MatchesTheReference) { EXPECT_LE(parity_gap(TinyModel(ModelFamily::Gpt2)), 1e-4); }

TEST(ModelParity, BertSentenceEmbeddingMatchesTheReference) {
    TinyModel m(ModelFamily::Bert);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    std::vector<std::int32_t> encoded = tokenizer->encode("the nurse thanked the patient.");
    std::vector<int> ids(encoded.begin(), encoded.end());
    at::Tensor t = ids_tensor(ids);
    at::Tensor ours = model->sentence_embeddings(t, at::ones_like(t))[0];
    auto reference = test::ReferenceModel(m.dir.path()).sentence_embedding(ids);
    ASSERT_EQ(ours.size(0), static_cast<std::int64_t>(reference.size()));
    for (std::size_t i = 0; i < reference.size(); ++i) EXPECT_NEAR(ours[i].item<float>(), reference[i], 1e-5);
    EXPECT_NEAR(ours.norm().item<float>(), 1.0f, 1e-5);
}

class CausalFacts : public ::testing::TestWithParam<ModelFamily> {};

TEST_P(CausalFacts, LaterTokensDoNotChangeEarlierLogits) {
    TinyModel m(GetParam());
    auto model = TransformerModel::load(m.dir.path());
    at::Tensor a = ids_tensor(kIds), b = a.clone();
    b[0][8] = 3;
    at::Tensor la = model->logits(a, at::ones_like(a)), lb = model->logits(b, at::ones_like(b));
    EXPECT_TRUE(at::allclose(la.slice(1, 0, 8), lb.slice(1, 0, 8), 0, 1e-6));
    EXPECT_FALSE(at::allclose(la.slice(1, 8), lb.slice(1, 8), 0, 1e-6));
}

TEST_P(CausalFacts, CachedStepsEqualFullRecomputation) {
    TinyModel m(GetParam());
    auto model = TransformerModel::load(m.dir.path());
    at::Tensor ids = ids_tensor(kIds);
    at::Tensor full = model->logits(ids, at::ones_like(ids));
    KVCache cache;
    at::Tensor first = model->logits(ids.slice(1, 0, 7), at::ones({1, 7}, at::kLong), &cache);
    std::vector<at::Tensor> steps = {first};
    for (std::int64_t t = 7; t < ids.size(1); ++t)
        steps.push_back(model->logits(ids.slice(1, t, t + 1), at::ones({1, t + 1}, at::kLong), &cache));
    EXPECT_EQ(cache.length(), ids.size(1));
    EXPECT_LE((at::cat(steps, 1) - full).abs().max().item<float>(), 1e-5);
}

TEST_P(CausalFacts, LeftPaddingDoesNotChangeASequence) {
    TinyModel m(GetParam());
    auto model = TransformerModel::load(m.dir.path());
    at::Tensor ids = ids_tensor(kIds);
    at::Tensor alone = model->logits(ids, at::ones_like(ids))[0];
    // Batch of two: the same sequence after three pads, and a longer other sequence.
    at::Tensor padded = at::cat({at::zeros({1, 3}, at::kLong), ids}, 1);
    at::Tensor other = ids_tensor({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
    at::Tensor batch = at::cat({padded, other}, 0);
    at::Tensor mask = at::ones_like(batch);
    mask[0].slice(0, 0, 3).zero_();
    at::Tensor together = model->logits(batch, mask)[0].slice(0, 3);
    EXPECT_LE((together - alone).abs().max().item<float>(), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Families, CausalFacts, ::testing::Values(ModelFamily::Llama, ModelFamily::Gpt2),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(ModelLoading, SaveThenLoadGivesIdenticalLogits) {
    TinyModel a(ModelFamily::Llama, std::nullopt, 7), b(ModelFamily::Llama, std::nullopt, 7);
    EXPECT_EQ(test::read_text(a.dir / "model.safetensors"), test::read_text(b.dir / "model.safetensors"));
    auto ma = TransformerModel::load(a.dir.path()), mb = TransformerModel::load(b.dir.path());
    at::Tensor ids = ids_tensor(kIds);
    EXPECT_TRUE(at::equal(ma->logits(ids, at::ones_like(ids)), mb->logits(ids, at::ones_like(ids))));
}

TEST(ModelLoading, CheckpointThatDoesNotMatchItsConfigIsNamed) {
    TinyModel m(ModelFamily::Llama);
    auto config = nlohmann::json::parse(test::read_text(m.dir / "config.json"));
    config["intermediate_size"] = 100;
    m.dir.write("config.json", config.dump());
    try {
        TransformerModel::load(m.dir.path());
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("tensor 'model.layers.0.mlp.gate_proj.weight' has shape [172, 64], expected [100, 64]"),
                  std::string::npos)
            << e.what();
    }
    config["intermediate_size"] = 172;
    config["num_hidden_layers"] = 3;
    m.dir.write("config.json", config.dump());
    try {
        TransformerModel::load(m.dir.path());
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("tensor 'model.layers.2.input_layernorm.weight' is missing"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace amalgam

namespace amalgam {
namespace {

TEST(Generation, GreedyWithCacheEqualsFullRecomputation) {
    TinyModel m(ModelFamily::Llama, std::nullopt, 3);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    GenerationOptions o;
    o.max_new_tokens = 12;
    o.stop_tokens = {};
    Generation g = generate(*model, *tokenizer, {"The nurse said"}, o)[0];
    // Without a cache: feed the whole sequence every step and take the argmax.
    std::vector<std::int32_t> seq = tokenizer->encode("The nurse said");
    std::vector<std::int32_t> expected;
    for (int step = 0; step < 12; ++step) {
        std::vector<int> ints(seq.begin(), seq.end());
        at::Tensor ids = ids_tensor(ints);
        auto next = static_cast<std::int32_t>(model->logits(ids, at::ones_like(ids))[0][-1].argmax().item<std::int64_t>());
        if (next == *model->config().eos_token_id) break;
        expected.push_back(next);
        seq.push_back(next);
    }
    EXPECT_EQ(g.tokens.size(), 12u);
    EXPECT_EQ(g.tokens, expected);
    EXPECT_EQ(g.text, tokenizer->decode(expected));
}

TEST(Generation, BatchEqualsOneByOneAndSeedsRepeat) {
    TinyModel m(ModelFamily::Gpt2, std::nullopt, 4);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    GenerationOptions o;
    o.max_new_tokens = 8;
    std::vector<std::string> prompts = {"a", "The developer argued with the designer because"};
    auto batch = generate(*model, *tokenizer, prompts, o);
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        EXPECT_EQ(batch[i].tokens.size(), 8u);
        EXPECT_EQ(batch[i].tokens, generate(*model, *tokenizer, {prompts[i]}, o)[0].tokens);
    }

    o.greedy = false;
    o.temperature = 1.5;
    o.top_k = 50;
    o.top_p = 0.9;
    o.seed = 11;
    auto first = generate(*model, *tokenizer, prompts, o), second = generate(*model, *tokenizer, prompts, o);
    EXPECT_EQ(first[1].tokens, second[1].tokens);
    o.seed = 12;
    EXPECT_NE(generate(*model, *tokenizer, prompts, o)[1].tokens, first[1].tokens);
}

TEST(Generation, StopStringCutsTheText) {
    TinyModel m(ModelFamily::Llama, std::nullopt, 5);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    GenerationOptions o;
    o.max_new_tokens = 10;
    Generation free_run = generate(*model, *tokenizer, {"x"}, o)[0];
    ASSERT_GE(free_run.text.size(), 3u);
    o.stop_strings = {free_run.text.substr(2, 1)};
    Generation cut = generate(*model, *tokenizer, {"x"}, o)[0];
    EXPECT_EQ(cut.stop_reason, "stop_string");
    EXPECT_EQ(cut.text, free_run.text.substr(0, free_run.text.find(o.stop_strings[0])));
}

TEST(Scoring, ContinuationLogprobsAreTheTeacherForcedOnes) {
    TinyModel m(ModelFamily::Llama, std::nullopt, 6);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    std::vector<std::pair<std::string, std::string>> pairs = {
        {"The physician hired the secretary because \"he\" refers to:", " physician"},
        {"x", " yz"}};
    auto scores = score_continuations(*model, *tokenizer, pairs, 2);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const auto& s = scores[i];
        std::vector<int> all(s.context_ids.begin(), s.context_ids.end());
        all.insert(all.end(), s.continuation_ids.begin(), s.continuation_ids.end());
        at::Tensor ids = ids_tensor(all);
        at::Tensor lp = at::log_softmax(model->logits(ids, at::ones_like(ids))[0], -1);
        double total = 0;
        for (std::size_t k = 0; k < s.continuation_ids.size(); ++k) {
            double expected = lp[s.context_ids.size() + k - 1][s.continuation_ids[k]].item<float>();
            EXPECT_NEAR(s.logprobs[k], expected, 1e-5);
            total += s.logprobs[k];
        }
        EXPECT_NEAR(s.total, total, 1e-9);
        EXPECT_EQ(s.continuation_ids, tokenizer->encode(pairs[i].second, false));
    }
}

}  // namespace
}  // namespace amalgam

namespace amalgam {
namespace {

at::Tensor logits_of(const TransformerModel& model) {
    at::Tensor ids = ids_tensor(kIds);
    return model.logits(ids, at::ones_like(ids));
}

/** Gives every B matrix random values, as training would, so that the adapter matters. */
void perturb(TransformerModel& model) {
    at::manual_seed(0);
    for (auto& [module, pair] : model.adapter()->modules) pair.b = at::randn_like(pair.b) * 0.1;
}

class LoraFacts : public ::testing::TestWithParam<ModelFamily> {};

TEST_P(LoraFacts, ZeroBLeavesTheModelUnchanged) {
    TinyModel m(GetParam());
    auto model = TransformerModel::load(m.dir.path());
    at::Tensor base = logits_of(*model);
    model->add_lora({4, 8, 0.0, {}}, 1);
    EXPECT_GT(model->adapter()->modules.size(), 0u);
    EXPECT_TRUE(at::equal(logits_of(*model), base));
}

TEST_P(LoraFacts, MergedEqualsUnmergedAndUnmergeRestores) {
    TinyModel m(GetParam());
    auto model = TransformerModel::load(m.dir.path());
    at::Tensor base = logits_of(*model);
    model->add_lora({4, 8, 0.0, {}}, 1);
    const std::string first_module = model->adapter()->modules.begin()->first + ".weight";  // an adapted one
    at::Tensor base_weight = model->weight(first_module).clone();
    perturb(*model);
    at::Tensor adapted = logits_of(*model);
    EXPECT_GT((adapted - base).abs().max().item<float>(), 1e-4);
    model->merge_lora();
    EXPECT_GT((model->weight(first_module) - base_weight).abs().max().item<float>(), 1e-4);
    EXPECT_LE((logits_of(*model) - adapted).abs().max().item<float>(), 1e-5);
    model->unmerge_lora();
    EXPECT_LE((model->weight(first_module) - base_weight).abs().max().item<float>(), 1e-6);
    EXPECT_LE((logits_of(*model) - adapted).abs().max().item<float>(), 1e-6);
}

TEST_P(LoraFacts, SaveThenLoadInPeftLayout) {
    TinyModel m(GetParam());
    auto model = TransformerModel::load(m.dir.path());
    model->add_lora({4, 8, 0.05, {}}, 2);
    perturb(*model);
    at::Tensor adapted = logits_of(*model);
    test::TempDir out;
    model->save_adapter(out.path(), m.dir.path().string());
    SafetensorsFile file(out / "adapter_model.safetensors");
    const std::string module = model->adapter()->modules.begin()->first;
    EXPECT_EQ(file.tensors().count(peft_key(GetParam(), module, 'A')), 1u);
    auto config = nlohmann::json::parse(test::read_text(out / "adapter_config.json"));
    EXPECT_EQ(config["peft_type"], "LORA");
    EXPECT_EQ(config["r"], 4);
    EXPECT_EQ(config["fan_in_fan_out"], GetParam() == ModelFamily::Gpt2);

    auto fresh = TransformerModel::load(m.dir.path());
    fresh->load_adapter(out.path());
    EXPECT_TRUE(at::equal(logits_of(*fresh), adapted));
}

INSTANTIATE_TEST_SUITE_P(Families, LoraFacts, ::testing::Values(ModelFamily::Llama, ModelFamily::Gpt2),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(Lora, PeftKeyNamesFollowTheHuggingFaceModulePaths) {
    EXPECT_EQ(peft_key(ModelFamily::Llama, "layers.0.self_attn.q_proj", 'A'), "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
    EXPECT_EQ(peft_key(ModelFamily::Gpt2, "h.1.attn.c_attn", 'B'), "base_model.model.transformer.h.1.attn.c_attn.lora_B.weight");
}

TEST(Lora, AdapterForAnotherModelIsRefusedByName) {
    TinyModel small(ModelFamily::Llama);
    ModelConfig wide = preset_config(ModelFamily::Llama, "tiny");
    wide.hidden_size = 128;
    TinyModel other(ModelFamily::Llama, wide);
    auto donor = TransformerModel::load(other.dir.path());
    donor->add_lora({4, 8, 0.0, {}}, 1);
    test::TempDir out;
    donor->save_adapter(out.path(), "other");
    auto model = TransformerModel::load(small.dir.path());
    try {
        model->load_adapter(out.path());
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("adapter_model.safetensors: tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight' has the wrong shape"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace amalgam

namespace amalgam {
namespace {

TEST(TransformerEmbedder, BatchedSortedEmbeddingsEqualOneByOne) {
    TinyModel m(ModelFamily::Bert);
    TransformerEmbedder embedder(m.dir.path(), TransformerEmbedder::Precision::Float32, 64);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    std::vector<std::string> texts = {"a much longer sentence about the weather in november", "short", "", "medium length text here"};
    NoProgress quiet;
    std::vector<float> batched = embedder.embed(texts, quiet);
    ASSERT_EQ(batched.size(), texts.size() * embedder.dim());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        auto ids = tokenizer->encode(texts[i]);
        std::vector<int> ints(ids.begin(), ids.end());
        at::Tensor t = ids_tensor(ints);
        at::Tensor alone = model->sentence_embeddings(t, at::ones_like(t))[0];
        for (std::size_t d = 0; d < embedder.dim(); ++d) EXPECT_NEAR(batched[i * embedder.dim() + d], alone[d].item<float>(), 1e-5);
    }
}

TEST(TransformerEmbedder, Bfloat16StaysCloseToFloat32) {
    TinyModel m(ModelFamily::Bert);
    TransformerEmbedder f32(m.dir.path(), TransformerEmbedder::Precision::Float32);
    TransformerEmbedder bf16(m.dir.path(), TransformerEmbedder::Precision::BFloat16);
    EXPECT_EQ(bf16.dtype(), at::kBFloat16);
    std::vector<std::string> texts = {"the nurse thanked the patient", "what is the capital of australia?"};
    NoProgress quiet;
    auto a = f32.embed(texts, quiet), b = bf16.embed(texts, quiet);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        double dot = 0;
        for (std::size_t d = 0; d < f32.dim(); ++d) dot += double(a[i * f32.dim() + d]) * b[i * f32.dim() + d];
        EXPECT_GT(dot, 0.999) << texts[i];
    }
}

TEST(TransformerEmbedder, NeedsAnEncoder) {
    TinyModel m(ModelFamily::Gpt2);
    EXPECT_THROW(TransformerEmbedder{m.dir.path()}, std::invalid_argument);
}

}  // namespace
}  // namespace amalgam

namespace amalgam {
namespace {

TEST(ScalarHead, ReadsTheLastRealTokenWhateverThePadding) {
    TinyModel m(ModelFamily::Llama);
    auto model = TransformerModel::load(m.dir.path());
    ScalarHead head = ScalarHead::create("score", model->config().hidden_size, false, 3);
    at::Tensor ids = ids_tensor(kIds);
    at::Tensor alone = head.at_last_token(model->hidden_states(ids, at::ones_like(ids)), at::ones_like(ids));
    at::Tensor direct = head.per_token(model->hidden_states(ids, at::ones_like(ids)))[0][-1];
    EXPECT_NEAR(alone[0].item<float>(), direct.item<float>(), 1e-6);

    at::Tensor left = at::cat({at::zeros({1, 2}, at::kLong), ids}, 1);
    at::Tensor left_mask = at::ones_like(left);
    left_mask[0].slice(0, 0, 2).zero_();
    EXPECT_NEAR(head.at_last_token(model->hidden_states(left, left_mask), left_mask)[0].item<float>(), alone[0].item<float>(), 1e-5);
}

TEST(ScalarHead, SavedAndLoadedByName) {
    ScalarHead value = ScalarHead::create("v_head.summary", 64, true, 4);
    value.bias.fill_(0.25);
    test::TempDir dir;
    write_safetensors(dir / "heads.safetensors", value.tensors());
    SafetensorsFile file(dir / "heads.safetensors");
    ScalarHead loaded = ScalarHead::load(file, "v_head.summary", 64);
    EXPECT_TRUE(at::equal(loaded.weight, value.weight));
    EXPECT_FLOAT_EQ(loaded.bias.item<float>(), 0.25f);
    EXPECT_THROW(ScalarHead::load(file, "v_head.summary", 32), std::runtime_error);
    EXPECT_THROW(ScalarHead::load(file, "score", 64), std::runtime_error);
}

}  // namespace
}  // namespace amalgam


namespace amalgam {
namespace {

std::vector<WinobiasPair> example_pairs() {
    auto pro = read_winobias_file(test::examples_dir() / "pro_stereotyped_type1.txt.dev");
    auto anti = read_winobias_file(test::examples_dir() / "anti_stereotyped_type1.txt.dev");
    std::vector<WinobiasPair> pairs;
    for (std::size_t i = 0; i < pro.size(); ++i) pairs.push_back({pro[i], anti[i]});
    return pairs;
}

TEST(WinobiasEvaluation, ItemsReproduceTheMetricsAndTheScores) {
    TinyModel m(ModelFamily::Llama, std::nullopt, 8);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    auto pairs = example_pairs();
    NoProgress quiet;
    WinobiasEvalOptions options;
    options.batch_size = 5;  // exercises partial batches
    WinobiasEvaluation result = evaluate_winobias(*model, *tokenizer, pairs, options, quiet);
    ASSERT_EQ(result.items.size(), 12u);
    EXPECT_EQ(result.metrics.pairs, 12u);

    WinobiasMetrics again = aggregate_winobias(result.items);
    EXPECT_DOUBLE_EQ(again.bias, result.metrics.bias);
    EXPECT_DOUBLE_EQ(again.bias_cluster, result.metrics.bias_cluster);
    EXPECT_DOUBLE_EQ(again.bias_entropy, result.metrics.bias_entropy);
    EXPECT_GT(result.metrics.bias, 0.0);
    EXPECT_GT(result.metrics.bias_entropy, 0.0);

    // An item's occupation log-probability is what score gives for the same context and word,
    // and what the plain reference implementation gives for the same tokens.
    const WinobiasSide& side = result.items[3].anti;
    auto direct = score_continuations(*model, *tokenizer, {{side.prompt, " " + side.occupation}})[0];
    EXPECT_NEAR(side.occupation_logprob, direct.total, 1e-5);
    std::vector<int> all(direct.context_ids.begin(), direct.context_ids.end());
    all.insert(all.end(), direct.continuation_ids.begin(), direct.continuation_ids.end());
    auto reference = test::ReferenceModel(m.dir.path()).logits(all);
    double expected = 0;
    for (std::size_t k = 0; k < direct.continuation_ids.size(); ++k) {
        const auto& row = reference[direct.context_ids.size() + k - 1];
        double top = *std::max_element(row.begin(), row.end()), total = 0;
        for (float v : row) total += std::exp(v - top);
        expected += row[direct.continuation_ids[k]] - top - std::log(total);
    }
    EXPECT_NEAR(side.occupation_logprob, expected, 1e-4);
    EXPECT_EQ(side.source, "anti_stereotyped_type1.txt.dev:4");
    for (const auto& item : result.items) {
        EXPECT_LT(item.pro.cluster_logprob, item.pro.occupation_logprob);  // a sum over more words, each negative
        EXPECT_EQ(item.pro.generation.find_first_of(".,;:!?\n"), std::string::npos);
    }
}

TEST(WinobiasEvaluation, IdenticalSidesShowNoBias) {
    TinyModel m(ModelFamily::Gpt2, std::nullopt, 9);
    auto model = TransformerModel::load(m.dir.path());
    auto tokenizer = load_tokenizer(m.dir.path());
    auto pairs = example_pairs();
    for (auto& p : pairs) p.anti = p.pro;
    NoProgress quiet;
    WinobiasEvaluation result = evaluate_winobias(*model, *tokenizer, pairs, {}, quiet);
    EXPECT_NEAR(result.metrics.bias, 0.0, 1e-9);
    EXPECT_NEAR(result.metrics.bias_cluster, 0.0, 1e-9);
    EXPECT_NEAR(result.metrics.bias_entropy, 0.0, 1e-9);
    EXPECT_DOUBLE_EQ(result.metrics.similarity, 1.0);
}

}  // namespace
}  // namespace amalgam
