#include <set>

#include <gtest/gtest.h>

#include "core/model_io/safetensors.h"
#include "core/model/scalar_head.h"
#include "core/model/transformer.h"
#include "tiny_model.h"

namespace amalgam {
namespace {

using test::ids_tensor;
using test::kIds;
using test::TinyModel;

at::Tensor logits_of(const TransformerModel& model) {
    at::Tensor ids = ids_tensor(kIds);
    return model.logits(ids, at::ones_like(ids));
}

/** Gives every B matrix random values, as training would, so that the adapter matters. */
void perturb(TransformerModel& model) {
    at::manual_seed(0);
    for (auto& [module, pair] : model.adapter()->modules) pair.b = at::randn_like(pair.b) * 0.1;
}

class LoraFacts : public ::testing::TestWithParam<ModelType> {};

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
    EXPECT_EQ(file.tensors().count(peft_key(model->config(), module, 'A')), 1u);
    auto config = nlohmann::json::parse(test::read_text(out / "adapter_config.json"));
    EXPECT_EQ(config["peft_type"], "LORA");
    EXPECT_EQ(config["r"], 4);
    EXPECT_EQ(config["fan_in_fan_out"], GetParam() == ModelType::Gpt2);

    auto fresh = TransformerModel::load(m.dir.path());
    fresh->load_adapter(out.path());
    EXPECT_TRUE(at::equal(logits_of(*fresh), adapted));
}

TEST_P(LoraFacts, EveryLinearModuleTakesAnAdapter) {
    TinyModel m(GetParam());
    auto model = TransformerModel::load(m.dir.path());
    std::set<std::string> targets;
    for (const auto& [module, conv1d] : model->projection_modules()) targets.insert(module.substr(module.rfind('.') + 1));
    model->add_lora({4, 8, 0.0, {targets.begin(), targets.end()}}, 3);
    EXPECT_EQ(model->adapter()->modules.size(), model->projection_modules().size());
    perturb(*model);
    const at::Tensor adapted = logits_of(*model);
    model->merge_lora();  // the joined products and the merged weights agree for every module
    EXPECT_LE((logits_of(*model) - adapted).abs().max().item<float>(), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Families, LoraFacts,
                         ::testing::Values(ModelType::Llama, ModelType::Gpt2, ModelType::Qwen3, ModelType::Mistral, ModelType::Gemma2,
                                           ModelType::Gemma3, ModelType::Phi3, ModelType::Olmo2, ModelType::SmolLM3),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(Lora, TheForwardIdentityChangesWithWhatAPassReadsAndNotWithValuesChangedInPlace) {
    TinyModel m(ModelType::Llama);
    auto model = TransformerModel::load(m.dir.path());
    const std::string base = model->forward_identity();
    model->add_lora({4, 8, 0.1, {}}, 1);
    const std::string adapted = model->forward_identity();
    EXPECT_NE(adapted, base);
    LoraPair& pair = model->adapter()->modules.begin()->second;
    pair.b.add_(1.0);  // an optimizer's step
    EXPECT_EQ(model->forward_identity(), adapted);
    pair.b = pair.b.clone();  // new memory
    const std::string moved = model->forward_identity();
    EXPECT_NE(moved, adapted);
    model->set_training(true);  // dropout on
    EXPECT_NE(model->forward_identity(), moved);
    model->set_training(false);
    EXPECT_EQ(model->forward_identity(), moved);
    model->merge_lora();  // folded into the base weights, in place: a pass reads the base alone
    EXPECT_EQ(model->forward_identity(), base);
    model->unmerge_lora();
    EXPECT_EQ(model->forward_identity(), moved);
    model->set_active_adapter("");
    EXPECT_EQ(model->forward_identity(), base);
}

TEST(Lora, PeftKeyNamesFollowTheHuggingFaceModulePaths) {
    EXPECT_EQ(peft_key(preset_config(ModelType::Llama, "tiny"), "layers.0.self_attn.q_proj", 'A'),
              "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
    EXPECT_EQ(peft_key(preset_config(ModelType::Gpt2, "tiny"), "h.1.attn.c_attn", 'B'), "base_model.model.transformer.h.1.attn.c_attn.lora_B.weight");
}

TEST(Lora, AdapterForAnotherModelIsRefusedByName) {
    TinyModel small(ModelType::Llama);
    ModelConfig wide = preset_config(ModelType::Llama, "tiny");
    wide.hidden_size = 128;
    TinyModel other(ModelType::Llama, wide);
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

TEST(NamedAdapters, SeveralShareOneBaseAndEachGivesItsOwnModel) {
    TinyModel m(ModelType::Llama);
    test::TempDir saved;
    auto model = TransformerModel::load(m.dir.path());
    const at::Tensor base = logits_of(*model);
    model->add_lora({4, 8, 0.0, {}}, 1, "policy");
    perturb(*model);
    const at::Tensor policy = logits_of(*model);
    model->save_adapter(saved.path(), "base");
    model->add_lora({2, 4, 0.0, {"q_proj"}}, 2, "reward");
    perturb(*model);
    const at::Tensor reward = logits_of(*model);
    EXPECT_GT((policy - reward).abs().max().item<float>(), 1e-4);

    model->set_active_adapter("policy");
    EXPECT_TRUE(at::equal(logits_of(*model), policy));
    model->merge_lora();  // folded into the base weights...
    EXPECT_LE((logits_of(*model) - policy).abs().max().item<float>(), 1e-5);
    model->set_active_adapter("reward");  // ...and out again before another adapter applies
    EXPECT_LE((logits_of(*model) - reward).abs().max().item<float>(), 1e-5);
    model->set_active_adapter("");
    EXPECT_LE((logits_of(*model) - base).abs().max().item<float>(), 1e-5);
    EXPECT_EQ(model->adapter(), nullptr);
    EXPECT_THROW(model->set_active_adapter("value"), std::invalid_argument);

    // A saved adapter loads under a new name beside the others and gives the same model.
    model->load_adapter(saved.path(), "copy");
    EXPECT_EQ(model->active_adapter(), "copy");
    EXPECT_LE((logits_of(*model) - policy).abs().max().item<float>(), 1e-5);
}

TEST(Lora, AnUntiedLanguageModelHeadCanBeATarget) {
    TinyModel m(ModelType::Llama);
    test::TempDir saved;
    auto model = TransformerModel::load(m.dir.path());
    const at::Tensor base = logits_of(*model);
    model->add_lora({4, 8, 0.0, {"lm_head"}}, 1);
    ASSERT_EQ(model->adapter()->modules.count("lm_head"), 1u);
    perturb(*model);
    const at::Tensor adapted = logits_of(*model);
    EXPECT_GT((adapted - base).abs().max().item<float>(), 1e-4);
    model->save_adapter(saved.path(), "base");
    SafetensorsFile file(saved.path() / "adapter_model.safetensors");
    EXPECT_EQ(file.tensors().count("base_model.model.lm_head.lora_A.weight"), 1u);  // beside the backbone, as PEFT names it
    model->merge_lora();
    EXPECT_LE((logits_of(*model) - adapted).abs().max().item<float>(), 1e-5);
    auto fresh = TransformerModel::load(m.dir.path());
    fresh->load_adapter(saved.path());
    EXPECT_LE((logits_of(*fresh) - adapted).abs().max().item<float>(), 1e-5);
}

TEST(ScalarHead, ReadsTheLastRealTokenWhateverThePadding) {
    TinyModel m(ModelType::Llama);
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
