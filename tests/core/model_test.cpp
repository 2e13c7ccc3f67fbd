#include <algorithm>
#include <cmath>
#include <tuple>

#include <gtest/gtest.h>
#include <torch/version.h>

#include "core/model/layers.h"
#include "core/model/model_merge.h"
#include "core/model_io/safetensors.h"
#include "core/tokenize/tokenizer.h"
#include "core/model/transformer.h"
#include "reference_model.h"
#include "tiny_model.h"

namespace amalgam {
namespace {

using test::ids_tensor;
using test::kIds;
using test::TinyModel;

double max_abs_difference(const at::Tensor& ours, const std::vector<std::vector<float>>& reference) {
    double worst = 0;
    auto a = ours.accessor<float, 2>();
    for (std::size_t t = 0; t < reference.size(); ++t)
        for (std::size_t v = 0; v < reference[t].size(); ++v) worst = std::max(worst, std::abs(double(a[t][v]) - reference[t][v]));
    return worst;
}

/** Our logits for kIds against the plain reference reading the same folder. */
double parity_gap(const TinyModel& m) {
    auto model = TransformerModel::load(m.dir.path());
    at::Tensor ids = ids_tensor(kIds);
    return max_abs_difference(model->logits(ids, at::ones_like(ids))[0], test::ReferenceModel(m.dir.path()).logits(kIds));
}

/** Every causal model_type, at its preset's settings (a window of 4 over kIds' 12 tokens). */
const auto kCausalTypes = ::testing::Values(ModelType::Llama, ModelType::Qwen2, ModelType::Qwen3, ModelType::Mistral, ModelType::Gemma2,
                                            ModelType::Gemma3, ModelType::Phi3, ModelType::Olmo2, ModelType::SmolLM3, ModelType::Gpt2);

TEST(ModelParity, LlamaMatchesTheReference) {
    TinyModel m(ModelType::Llama);
    EXPECT_EQ(TransformerModel::load(m.dir.path())->config().vocab_size, 257);
    EXPECT_LE(parity_gap(m), 1e-4);
}

TEST(ModelParity, Qwen2StyleBiasAndLlama3RopeScalingMatchTheReference) {
    ModelConfig c = preset_config(ModelType::Qwen2, "tiny");
    c.rope = {RopeType::Llama3, 500000.0, 8.0, 1.0, 4.0, 8};  // a short original context so that every band is exercised
    TinyModel m(ModelType::Qwen2, c);
    EXPECT_TRUE(TransformerModel::load(m.dir.path())->config().decoder.qkv_bias);
    EXPECT_LE(parity_gap(m), 1e-4);
}

class FamilyParity : public ::testing::TestWithParam<ModelType> {};

TEST_P(FamilyParity, PresetMatchesTheReference) {
    TinyModel m(GetParam());
    EXPECT_EQ(TransformerModel::load(m.dir.path())->config().type, GetParam());
    const double gap = parity_gap(m);
    std::printf("%s: largest logit difference from the reference %.2e\n", to_string(GetParam()), gap);
    EXPECT_LE(gap, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Families, FamilyParity, kCausalTypes, [](const auto& info) { return std::string(to_string(info.param)); });

TEST(ModelParity, SoftCappingThatBitesMatchesTheReference) {
    ModelConfig c = preset_config(ModelType::Gemma2, "tiny");
    c.decoder.attn_logit_softcapping = 0.05;  // below the scores of these weights: tanh is far from linear
    c.decoder.final_logit_softcapping = 0.5;
    TinyModel capped(ModelType::Gemma2, c);
    const double gap = parity_gap(capped);
    EXPECT_LE(gap, 1e-4);
    c.decoder.attn_logit_softcapping = c.decoder.final_logit_softcapping = 0;
    TinyModel plain(ModelType::Gemma2, c);
    auto a = TransformerModel::load(capped.dir.path()), b = TransformerModel::load(plain.dir.path());
    at::Tensor ids = ids_tensor(kIds);
    EXPECT_LE(a->logits(ids, at::ones_like(ids)).abs().max().item<float>(), 0.5f);
    EXPECT_GT(b->logits(ids, at::ones_like(ids)).abs().max().item<float>(), 0.5f);
}

TEST(ModelParity, RopeVariantsMatchTheReference) {
    // Each on a Qwen2 model, with contexts short enough that kIds' 12 tokens cross them.
    Rope yarn{RopeType::Yarn, 1000000.0, 4.0};
    yarn.original_max_position_embeddings = 8;
    yarn.attention_factor = 0.1 * std::log(4.0) + 1;
    yarn.beta_fast = 4;  // a ramp inside the 8 frequencies of a head of 16
    Rope dynamic{RopeType::Dynamic, 10000.0, 2.0};
    for (const Rope& rope : {yarn, dynamic}) {
        ModelConfig c = preset_config(ModelType::Qwen2, "tiny");
        c.rope = rope;
        if (rope.type == RopeType::Dynamic) c.max_positions = 8;  // kIds is longer: the base grows (up to 16 tokens)
        TinyModel m(ModelType::Qwen2, c);
        EXPECT_LE(parity_gap(m), 1e-4) << to_string(rope.type);
    }
}

TEST(ModelParity, LongRopeSwitchesToItsLongFactorsPastTheOriginalContext) {
    ModelConfig c = preset_config(ModelType::Phi3, "tiny");
    c.rope.original_max_position_embeddings = 8;  // kIds' 12 tokens are past it, its first 6 within
    TinyModel m(ModelType::Phi3, c);
    EXPECT_LE(parity_gap(m), 1e-4);
    auto model = TransformerModel::load(m.dir.path());
    const std::vector<int> short_ids(kIds.begin(), kIds.begin() + 6);
    at::Tensor ids = ids_tensor(short_ids), all = ids_tensor(kIds);
    const auto reference = test::ReferenceModel(m.dir.path()).logits(short_ids);
    EXPECT_LE(max_abs_difference(model->logits(ids, at::ones_like(ids))[0], reference), 1e-4);
    // The same 6 tokens read inside a text past the context take the long factors: other logits.
    EXPECT_GT((model->logits(all, at::ones_like(all))[0].slice(0, 0, 6) - model->logits(ids, at::ones_like(ids))[0]).abs().max().item<float>(), 1e-4);
}

TEST(ModelParity, SlidingWindowHidesWhatLiesBeyondIt) {
    TinyModel m(ModelType::Mistral);  // a window of 4 on every layer
    auto model = TransformerModel::load(m.dir.path());
    at::Tensor a = ids_tensor(kIds), b = a.clone();
    b[0][0] = 3;  // the first token: beyond every later query's window from position 2 layers on
    const at::Tensor la = model->logits(a, at::ones_like(a))[0], lb = model->logits(b, at::ones_like(b))[0];
    // Two layers of a window of 4 reach back 6 positions: from position 7 on, the first token is out of sight.
    EXPECT_TRUE(at::allclose(la.slice(0, 7), lb.slice(0, 7), 0, 1e-6));
    EXPECT_FALSE(at::allclose(la.slice(0, 1, 7), lb.slice(0, 1, 7), 0, 1e-6));
}

TEST(ModelParity, Gpt2MatchesTheReference) { EXPECT_LE(parity_gap(TinyModel(ModelType::Gpt2)), 1e-4); }

TEST(ModelParity, BertSentenceEmbeddingMatchesTheReference) {
    TinyModel m(ModelType::Bert);
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

class CausalFacts : public ::testing::TestWithParam<ModelType> {};

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

TEST_P(CausalFacts, PreallocatedCacheWrittenAtItsSlotEqualsFullRecomputation) {
    TinyModel m(GetParam());
    auto model = TransformerModel::load(m.dir.path());
    at::Tensor ids = ids_tensor(kIds);
    const std::int64_t n = ids.size(1), capacity = n + 3;  // room to spare: unwritten positions are masked
    at::Tensor full = model->logits(ids, at::ones_like(ids));
    KVCache cache = model->preallocated_cache(1, capacity);
    std::vector<at::Tensor> steps = {model->logits(ids.slice(1, 0, 7), at::ones({1, 7}, at::kLong), &cache)};
    EXPECT_EQ(cache.length(), 7);
    at::Tensor mask = at::zeros({1, capacity}, at::kLong);
    mask.slice(1, 0, 7).fill_(1);
    cache.slot = at::full({1}, 7, at::kLong);
    for (std::int64_t t = 7; t < n; ++t) {
        mask.index_fill_(1, cache.slot, 1);
        steps.push_back(model->logits(ids.slice(1, t, t + 1), mask, &cache));
        cache.slot.add_(1);
    }
    EXPECT_LE((at::cat(steps, 1) - full).abs().max().item<float>(), 1e-5);
    EXPECT_THROW(model->logits(ids.slice(1, 0, 2), mask, &cache), std::invalid_argument);  // one token at a slot
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

TEST_P(CausalFacts, RightPaddingWithTheCausalMaskAloneDoesNotChangeASequence) {
    TinyModel m(GetParam());
    auto model = TransformerModel::load(m.dir.path());
    at::Tensor ids = ids_tensor(kIds);
    at::Tensor alone = model->hidden_states(ids, at::ones_like(ids))[0];
    // The sequence followed by three pads, beside a longer one: no padding mask reaches attention.
    at::Tensor padded = at::cat({ids, at::zeros({1, 3}, at::kLong)}, 1);
    at::Tensor other = ids_tensor({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
    at::Tensor batch = at::cat({padded, other}, 0);
    at::Tensor mask = at::ones_like(batch);
    mask[0].slice(0, ids.size(1)).zero_();
    at::Tensor together = model->hidden_states(batch, mask, nullptr, Padding::Right)[0].slice(0, 0, ids.size(1));
    EXPECT_LE((together - alone).abs().max().item<float>(), 1e-5);
    KVCache cache;
    EXPECT_THROW(model->hidden_states(batch, mask, &cache, Padding::Right), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Families, CausalFacts, kCausalTypes,
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(AttentionBias, StaysFiniteInEveryFloatingType) {
    // A left-padded row: its padding query sees no key at all.
    at::Tensor mask = at::tensor(std::vector<std::int64_t>{0, 0, 1, 1}, at::kLong).view({1, 4});
    for (at::ScalarType type : {at::kFloat, at::kBFloat16, at::kHalf}) {
        at::Tensor bias = layers::attention_bias(mask, 4, true, type).to(at::kFloat);
        EXPECT_TRUE(bias.isfinite().all().item<bool>()) << dtype_name(type);
        EXPECT_EQ(bias[0][0][3][3].item<float>(), 0.0f) << dtype_name(type);         // a token sees itself
        EXPECT_LT(bias[0][0][3][1].item<float>(), -60000.0f) << dtype_name(type);     // not the padding before it
        EXPECT_LT(bias[0][0][2][3].item<float>(), -60000.0f) << dtype_name(type);     // nor the future
    }
}

TEST(Attention, OutsideAutogradGivesTheBitsOfTheAutogradPath) {
#if TORCH_VERSION_MAJOR >= 2
    GTEST_SKIP() << "libtorch 2 attends with its fused kernel on both paths";
#endif
    // Decoding (one query, grouped keys and values), a prompt (as many queries as keys, with and
    // without groups), keys read from a larger preallocated cache, and a product too small for
    // BLAS.
    struct Shape {
        std::int64_t heads, kv_heads, queries, keys, capacity, dim;
    };
    at::manual_seed(3);
    for (const Shape& s : {Shape{4, 2, 1, 28, 28, 16}, Shape{4, 4, 12, 12, 12, 16}, Shape{4, 2, 12, 12, 12, 16}, Shape{4, 1, 1, 28, 40, 16},
                           Shape{2, 2, 1, 4, 4, 16}}) {
        const std::int64_t batch = 3;
        at::Tensor q = at::randn({batch, s.heads, s.queries, s.dim});
        at::Tensor k = at::randn({batch, s.kv_heads, s.capacity, s.dim}).slice(2, 0, s.keys);
        at::Tensor v = at::randn({batch, s.kv_heads, s.capacity, s.dim}).slice(2, 0, s.keys);
        at::Tensor mask = at::ones({batch, s.keys}, at::kLong);
        mask[0].slice(0, 0, 2).zero_();  // a left-padded row
        const at::Tensor bias = layers::attention_bias(mask, s.queries, true, at::kFloat);
        at::Tensor fast;
        {
            c10::NoGradGuard no_grad;
            fast = layers::attention(q, k, v, bias);
        }
        const at::Tensor reference = layers::attention(q.clone().requires_grad_(), k, v, bias).detach();
        EXPECT_TRUE(at::equal(fast, reference)) << s.heads << " heads, " << s.kv_heads << " key/value heads, " << s.queries << " queries, "
                                                << s.keys << " keys: " << (fast - reference).abs().max().item<float>();
    }
}

/** Grouped keys and values read in place give what repeating them for every query head gives
 *  (the textbook formula): decoding and a prompt, with and without autograd. */
TEST(Attention, GroupedKeysAndValuesActAsRepeatedOnes) {
    at::manual_seed(4);
    for (std::int64_t queries : {1, 9}) {
        const std::int64_t batch = 2, heads = 6, kv_heads = 2, keys = 9, dim = 8;
        at::Tensor q = at::randn({batch, queries, heads, dim}).transpose(1, 2);  // as split_heads makes it
        at::Tensor k = at::randn({batch, kv_heads, keys, dim}), v = at::randn({batch, kv_heads, keys, dim});
        at::Tensor mask = at::ones({batch, keys}, at::kLong);
        mask[1].slice(0, 0, 3).zero_();  // a left-padded row
        const at::Tensor bias = layers::attention_bias(mask, queries, true, at::kFloat);
        const at::Tensor scores = at::matmul(q, k.repeat_interleave(3, 1).transpose(-2, -1)) / std::sqrt(double(dim)) + bias;
        const at::Tensor expected = at::matmul(at::softmax(scores, -1), v.repeat_interleave(3, 1));
        for (bool grad : {false, true}) {
            at::Tensor got;
            {
                c10::AutoGradMode mode(grad);
                got = layers::attention(grad ? q.clone().requires_grad_() : q, k, v, bias).detach();
            }
            ASSERT_EQ(got.sizes(), expected.sizes());
            EXPECT_LT((got - expected).abs().max().item<float>(), 1e-6) << queries << " queries, autograd " << grad;
        }
    }
}

TEST(ModelLoading, SaveThenLoadGivesIdenticalLogits) {
    TinyModel a(ModelType::Llama, std::nullopt, 7), b(ModelType::Llama, std::nullopt, 7);
    EXPECT_EQ(test::read_text(a.dir / "model.safetensors"), test::read_text(b.dir / "model.safetensors"));
    auto ma = TransformerModel::load(a.dir.path()), mb = TransformerModel::load(b.dir.path());
    at::Tensor ids = ids_tensor(kIds);
    EXPECT_TRUE(at::equal(ma->logits(ids, at::ones_like(ids)), mb->logits(ids, at::ones_like(ids))));
}

/** Rewrites a model folder's weights in bfloat16, as many published checkpoints are stored. */
void store_in_bfloat16(const TinyModel& m) {
    std::vector<TensorData> tensors;
    {
        SafetensorsFile file(m.dir / "model.safetensors");
        for (const auto& [name, view] : file.tensors()) {
            std::string bytes;
            for (float v : view.to_float32()) {
                std::uint16_t b = float_to_bfloat16(v);
                bytes.append(reinterpret_cast<const char*>(&b), 2);
            }
            tensors.push_back({name, DType::BF16, view.shape, bytes});
        }
    }
    write_safetensors(m.dir / "model.safetensors", tensors);
}

TEST(ModelLoading, Gemma3sMultimodalCheckpointIsReadForItsTextModel) {
    TinyModel text(ModelType::Gemma3);
    // The same weights as Gemma3ForConditionalGeneration keeps them on the Hub: the text config
    // under text_config, its tensors under language_model.model., a vision tower beside them.
    test::TempDir multimodal;
    const auto config = nlohmann::json::parse(test::read_text(text.dir / "config.json"));
    multimodal.write("config.json", nlohmann::json{{"architectures", {"Gemma3ForConditionalGeneration"}},
                                                   {"model_type", "gemma3"},
                                                   {"text_config", config},
                                                   {"vision_config", {{"model_type", "siglip_vision_model"}}}}
                                        .dump());
    multimodal.write("tokenizer.json", test::read_text(text.dir / "tokenizer.json"));
    std::vector<TensorData> tensors;
    {
        SafetensorsFile file(text.dir / "model.safetensors");
        for (const auto& [name, view] : file.tensors()) {
            const std::vector<float> values = view.to_float32();
            tensors.push_back({"language_model." + name, DType::F32, view.shape, std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4)});
        }
    }
    const std::vector<float> patch(4, 0.5f);  // layer 30 of the vision tower: no text layer of that number is looked for
    tensors.push_back({"vision_tower.vision_model.encoder.layers.30.mlp.fc1.weight", DType::F32, {2, 2},
                       std::string(reinterpret_cast<const char*>(patch.data()), 16)});
    write_safetensors(multimodal / "model.safetensors", tensors);

    auto plain = TransformerModel::load(text.dir.path()), read = TransformerModel::load(multimodal.path());
    EXPECT_TRUE(read->config().text_of_multimodal);
    EXPECT_EQ(read->config().architecture, "Gemma3ForConditionalGeneration");
    at::Tensor ids = ids_tensor(kIds);
    EXPECT_TRUE(at::equal(read->logits(ids, at::ones_like(ids)), plain->logits(ids, at::ones_like(ids))));

    // Its adapters carry transformers 5's module names, which peft finds on the multimodal model.
    read->add_lora({4, 8, 0.0, {}}, 1);
    test::TempDir adapter;
    read->save_adapter(adapter.path(), multimodal.path().string());
    EXPECT_EQ(SafetensorsFile(adapter / "adapter_model.safetensors").tensors().count("base_model.model.model.language_model.layers.0.self_attn.q_proj.lora_A.weight"), 1u);
    TransformerModel::load(multimodal.path())->load_adapter(adapter.path());
    EXPECT_THROW(merge_adapter_into_folder(multimodal.path(), adapter.path(), adapter / "merged"), std::runtime_error);  // the vision tower would be lost
}

TEST(ModelConfigReading, Gemma3sHubConfigLeavesOutWhatGemma3TextConfigDefaults) {
    // gemma-3-4b's config.json gives only what differs from Gemma3TextConfig's defaults.
    const ModelConfig c = ModelConfig::from_json(
        nlohmann::json::parse(R"({"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3", "eos_token_id": [1, 106],
                                  "text_config": {"hidden_size": 2560, "intermediate_size": 10240, "model_type": "gemma3_text",
                                                  "num_hidden_layers": 34, "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
                                                  "sliding_window": 1024}})"),
        "config.json");
    EXPECT_EQ(c.vocab_size, 262208);
    EXPECT_EQ(c.num_heads, 8);
    EXPECT_EQ(c.num_kv_heads, 4);
    EXPECT_EQ(c.head_dim(), 256);
    EXPECT_EQ(c.decoder.query_pre_attn_scalar, 256);
    EXPECT_EQ(c.decoder.sliding_window, 1024);
    EXPECT_EQ(std::count(c.decoder.sliding_layers.begin(), c.decoder.sliding_layers.end(), false), 5);  // layers 5, 11, 17, 23, 29
    EXPECT_FALSE(c.decoder.sliding_layers[5]);
    EXPECT_EQ(c.rope, (Rope{RopeType::Linear, 1000000.0, 8.0}));
    EXPECT_EQ(c.decoder.sliding_rope->theta, 10000.0);
    EXPECT_TRUE(c.tie_word_embeddings);
}

TEST(ModelLoading, WeightsAreConvertedOnceFromTheFilesTypeToTheOneAskedFor) {
    TinyModel m(ModelType::Llama);
    store_in_bfloat16(m);
    auto wide = TransformerModel::load(m.dir.path(), at::kCPU, Precision::Float32);
    auto narrow = TransformerModel::load(m.dir.path(), at::kCPU, Precision::BFloat16);
    EXPECT_EQ(wide->dtype(), at::kFloat);
    EXPECT_EQ(narrow->dtype(), at::kBFloat16);
    EXPECT_EQ(TransformerModel::load(m.dir.path())->dtype(), at::kFloat);  // auto on the CPU
    const std::string name = "layers.0.self_attn.q_proj.weight";
    EXPECT_EQ(narrow->weight(name).scalar_type(), at::kBFloat16);
    // bfloat16 widens to float32 exactly, so both hold the file's values.
    EXPECT_TRUE(at::equal(wide->weight(name), narrow->weight(name).to(at::kFloat)));

    at::Tensor ids = ids_tensor(kIds);
    at::Tensor a = wide->logits(ids, at::ones_like(ids))[0], raw = narrow->logits(ids, at::ones_like(ids))[0];
    EXPECT_EQ(raw.scalar_type(), at::kBFloat16);
    at::Tensor b = raw.to(at::kFloat);
    EXPECT_LT((a - b).abs().max().item<float>(), 0.05);  // bfloat16 activations, same weights
    EXPECT_GE(a.argmax(-1).eq(b.argmax(-1)).to(at::kFloat).mean().item<float>(), 0.75);
}

TEST(ModelLoading, CheckpointThatDoesNotMatchItsConfigIsNamed) {
    TinyModel m(ModelType::Llama);
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
    // Fewer layers than the file holds: the extra ones are not dropped without a word.
    config["num_hidden_layers"] = 1;
    m.dir.write("config.json", config.dump());
    try {
        TransformerModel::load(m.dir.path());
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("model.safetensors: tensor 'model.layers.1."), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("is for layer 1, but config.json gives 1 layers"), std::string::npos) << e.what();
    }
}

TEST(ModelLoading, AnAdapterWhoseScaleCannotBeRightIsRefused) {
    TinyModel m(ModelType::Llama);
    auto model = TransformerModel::load(m.dir.path());
    test::TempDir adapter;
    LoraConfig lora;
    lora.rank = 4;
    model->add_lora(lora, 1);
    model->save_adapter(adapter.path(), m.dir.path().string());
    auto config = nlohmann::json::parse(test::read_text(adapter / "adapter_config.json"));
    for (const auto& [key, value, expected] : {std::tuple<const char*, nlohmann::json, const char*>{"r", 0, "r must be a whole number from 1 to 65536, not 0"},
                                               {"lora_alpha", 1e308, "lora_alpha must be a positive number at most 4096 times r, not 1e+308"},
                                               {"lora_alpha", -8, "lora_alpha must be a positive number at most 4096 times r, not -8"}}) {
        auto broken = config;
        broken[key] = value;
        adapter.write("adapter_config.json", broken.dump());
        try {
            TransformerModel::load(m.dir.path())->load_adapter(adapter.path());
            FAIL() << key << " " << value.dump() << " was accepted";
        } catch (const std::runtime_error& e) {
            EXPECT_EQ(std::string(e.what()), (adapter / "adapter_config.json").string() + ": " + expected);
        }
    }
}

}  // namespace
}  // namespace amalgam
