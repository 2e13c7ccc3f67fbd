#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/model_io/rope_config.h"
#include "core/model/transformer.h"
#include "reference_model.h"
#include "tiny_model.h"

namespace amalgam {
namespace {

using nlohmann::json;
using test::ids_tensor;
using test::kIds;
using test::TinyModel;

json read_config(const TinyModel& m) { return json::parse(test::read_text(m.dir / "config.json")); }
void write_config(const TinyModel& m, const json& config) { m.dir.write("config.json", config.dump(2)); }

at::Tensor logits_of(const TinyModel& m) {
    auto model = TransformerModel::load(m.dir.path());
    at::Tensor ids = ids_tensor(kIds);
    return model->logits(ids, at::ones_like(ids))[0];
}

/** The runtime_error text of loading the folder's config. */
std::string load_error(const TinyModel& m) {
    try {
        ModelConfig::load(m.dir / "config.json");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

/** The error of loading the folder's config.json once `config` with `key` set to `value` is written there ("" where it loads). */
std::string error_with(const TinyModel& m, json config, const char* key, const json& value) {
    config[key] = value;
    write_config(m, config);
    return load_error(m);
}

ModelConfig llama_with(const Rope& rope) {
    ModelConfig c = preset_config(ModelType::Llama, "tiny");
    c.rope = rope;
    return c;
}

const Rope kLlama3{RopeType::Llama3, 500000.0, 8.0, 1.0, 4.0, 8};  // a short original context: every band is exercised

/** Rewrites a transformers 4 config.json the way transformers 5 saves it. */
json as_transformers5(json config) {
    json parameters = config.contains("rope_scaling") ? config["rope_scaling"] : json{{"rope_type", "default"}};
    parameters["rope_theta"] = config["rope_theta"];
    config.erase("rope_scaling");
    config.erase("rope_theta");
    config["rope_parameters"] = parameters;
    return config;
}

TEST(RopeConfig, Transformers5LayoutScoresLikeTheOldOneAndTheReference) {
    for (const Rope& rope : {kLlama3, Rope{RopeType::Linear, 20000.0, 4.0}, Rope{RopeType::Default, 123456.0}}) {
        TinyModel m(ModelType::Llama, llama_with(rope));
        at::Tensor old_layout = logits_of(m);
        const auto reference = test::ReferenceModel(m.dir.path()).logits(kIds);  // reads the old layout
        write_config(m, as_transformers5(read_config(m)));
        ASSERT_FALSE(read_config(m).contains("rope_theta"));
        EXPECT_EQ(ModelConfig::load(m.dir / "config.json").rope, rope) << to_string(rope.type);
        at::Tensor new_layout = logits_of(m);
        EXPECT_TRUE(at::equal(old_layout, new_layout)) << to_string(rope.type);
        double worst = 0;
        for (std::size_t t = 0; t < reference.size(); ++t)
            for (std::size_t v = 0; v < reference[t].size(); ++v)
                worst = std::max(worst, std::abs(double(new_layout[t][v].item<float>()) - reference[t][v]));
        EXPECT_LE(worst, 1e-4) << to_string(rope.type);
    }
}

TEST(RopeConfig, ThetaAndScalingChangeTheLogits) {
    // A loader that ignored rope_parameters would score these alike.
    TinyModel plain(ModelType::Llama, llama_with({}));
    TinyModel scaled(ModelType::Llama, llama_with(kLlama3));
    write_config(scaled, as_transformers5(read_config(scaled)));
    EXPECT_GT((logits_of(plain) - logits_of(scaled)).abs().max().item<float>(), 1e-3);
}

TEST(RopeConfig, BothLayoutsMayBePresentWhenTheyAgree) {
    TinyModel m(ModelType::Llama, llama_with(kLlama3));
    json config = read_config(m);
    config["rope_parameters"] = as_transformers5(config)["rope_parameters"];
    write_config(m, config);
    EXPECT_EQ(ModelConfig::load(m.dir / "config.json").rope, kLlama3);
}

TEST(RopeConfig, DisagreementIsAnErrorNamingTheFile) {
    TinyModel m(ModelType::Llama, llama_with(kLlama3));
    json config = read_config(m);
    config["rope_parameters"] = as_transformers5(config)["rope_parameters"];
    config["rope_parameters"]["factor"] = 32.0;
    write_config(m, config);
    std::string error = load_error(m);
    EXPECT_NE(error.find("config.json"), std::string::npos) << error;
    EXPECT_NE(error.find("rope_scaling"), std::string::npos) << error;
    EXPECT_NE(error.find("disagree"), std::string::npos) << error;

    config = as_transformers5(read_config(m));
    config["rope_theta"] = 10000.0;
    write_config(m, config);
    error = load_error(m);
    EXPECT_NE(error.find("rope_theta 10000"), std::string::npos) << error;
    EXPECT_NE(error.find("disagree"), std::string::npos) << error;
}

TEST(RopeConfig, UnsupportedTypesAndMissingFieldsAreErrorsNamingTheKey) {
    TinyModel m(ModelType::Llama, llama_with({}));
    const json base = read_config(m);
    std::string error = error_with(m, base, "rope_parameters", {{"rope_type", "mrope"}, {"factor", 4.0}, {"rope_theta", 1e6}});
    EXPECT_NE(error.find("config.json: rope_parameters.rope_type 'mrope' is not supported (supported: default, linear, llama3, yarn, "
                         "dynamic or longrope)"),
              std::string::npos)
        << error;
    error = error_with(m, base, "rope_scaling", {{"type", "su"}, {"factor", 2.0}});
    EXPECT_NE(error.find("rope_scaling.type 'su' is not supported"), std::string::npos) << error;
    error = error_with(m, base, "rope_scaling", {{"type", "longrope"}, {"short_factor", {1.0}}, {"long_factor", {1.0, 2.0}}});
    EXPECT_NE(error.find("rope_scaling.short_factor and long_factor must be as long as each other"), std::string::npos) << error;
    error = error_with(m, base, "rope_scaling", {{"type", "longrope"}, {"short_factor", {1.0}}, {"long_factor", {2.0}}});
    EXPECT_NE(error.find("rope_scaling.short_factor has 1 entries, not one for each of the 8 rotary frequencies"), std::string::npos) << error;
    error = error_with(m, base, "rope_parameters", {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}});
    EXPECT_NE(error.find("rope_parameters.high_freq_factor is missing"), std::string::npos) << error;
    error = error_with(m, base, "rope_scaling", "linear");
    EXPECT_NE(error.find("rope_scaling must be an object"), std::string::npos) << error;
    error = error_with(m, base, "partial_rotary_factor", 1.5);
    EXPECT_NE(error.find("partial_rotary_factor 1.500000 must be in (0, 1]"), std::string::npos) << error;
    error = error_with(m, base, "partial_rotary_factor", 0.0625);  // one dimension of a head of 16
    EXPECT_NE(error.find("gives 1 rotary dimensions, not a positive even number"), std::string::npos) << error;
    EXPECT_EQ(error_with(m, base, "partial_rotary_factor", 0.5), "");
    EXPECT_EQ(error_with(m, base, "head_dim", 32), "");  // heads wider than hidden / heads, as Qwen3's and Gemma's
    EXPECT_EQ(error_with(m, base, "rope_scaling", nullptr), "");  // null is how transformers 4 writes "no scaling"
}

TEST(RopeConfig, Llama3FallsBackToMaxPositionsAsTransformers5Does) {
    json config = {{"rope_parameters", {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0}}}};
    EXPECT_EQ(read_rope(config, 4096, "c.json").original_max_position_embeddings, 4096);
    EXPECT_EQ(read_rope(config, 4096, "c.json").theta, 10000.0);
}

/** A family's preset config.json rewritten as transformers 5 saves it: per-layer-type RoPE dicts
 *  for Gemma 3, partial_rotary_factor inside rope_parameters, layer_types spelt out. */
json as_transformers5_of(ModelType type, json config) {
    if (type == ModelType::Gemma3) {
        json full = config["rope_scaling"];
        full["rope_theta"] = config["rope_theta"];
        config["rope_parameters"] = {{"full_attention", full},
                                     {"sliding_attention", {{"rope_type", "default"}, {"rope_theta", config["rope_local_base_freq"]}}}};
        for (const char* key : {"rope_scaling", "rope_theta", "rope_local_base_freq", "sliding_window_pattern"}) config.erase(key);
        return config;
    }
    config = as_transformers5(config);
    if (config.contains("partial_rotary_factor")) {
        config["rope_parameters"]["partial_rotary_factor"] = config["partial_rotary_factor"];
        config.erase("partial_rotary_factor");
    }
    return config;
}

class FamilyLayouts : public ::testing::TestWithParam<ModelType> {};

TEST_P(FamilyLayouts, Transformers5LayoutReadsAsTheOldOne) {
    TinyModel m(GetParam());
    const ModelConfig old_layout = ModelConfig::load(m.dir / "config.json");
    const at::Tensor old_logits = logits_of(m);
    write_config(m, as_transformers5_of(GetParam(), read_config(m)));
    const ModelConfig new_layout = ModelConfig::load(m.dir / "config.json");
    EXPECT_EQ(new_layout.rope, old_layout.rope);
    EXPECT_EQ(new_layout.decoder.sliding_rope, old_layout.decoder.sliding_rope);
    EXPECT_EQ(new_layout.decoder.partial_rotary_factor, old_layout.decoder.partial_rotary_factor);
    EXPECT_EQ(new_layout.decoder.sliding_layers, old_layout.decoder.sliding_layers);
    EXPECT_EQ(new_layout.features(), old_layout.features());
    EXPECT_TRUE(at::equal(logits_of(m), old_logits));
}

INSTANTIATE_TEST_SUITE_P(Families, FamilyLayouts,
                         ::testing::Values(ModelType::Qwen3, ModelType::Mistral, ModelType::Gemma2, ModelType::Gemma3, ModelType::Phi3,
                                           ModelType::Olmo2, ModelType::SmolLM3),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(FamilyConfig, FamilyPatternsGiveTheLayerTypesWhereConfigJsonListsNone) {
    // Gemma 2: even layers slide; Gemma 3: all but every sliding_window_pattern-th; SmolLM3: NoPE every fourth.
    ModelConfig c = preset_config(ModelType::Gemma2, "small");
    TinyModel gemma2(ModelType::Gemma2, c);
    json config = read_config(gemma2);
    config.erase("layer_types");
    write_config(gemma2, config);
    EXPECT_EQ(ModelConfig::load(gemma2.dir / "config.json").decoder.sliding_layers, (std::vector<bool>{true, false, true, false}));

    c = preset_config(ModelType::Gemma3, "small");
    TinyModel gemma3(ModelType::Gemma3, c);
    config = read_config(gemma3);
    config.erase("layer_types");
    config["sliding_window_pattern"] = 3;
    write_config(gemma3, config);
    EXPECT_EQ(ModelConfig::load(gemma3.dir / "config.json").decoder.sliding_layers, (std::vector<bool>{true, true, false, true}));

    TinyModel smollm3(ModelType::SmolLM3, preset_config(ModelType::SmolLM3, "small"));
    config = read_config(smollm3);
    config.erase("no_rope_layers");
    write_config(smollm3, config);
    EXPECT_EQ(ModelConfig::load(smollm3.dir / "config.json").decoder.rope_layers, (std::vector<bool>{true, true, true, false}));
}

TEST(FamilyConfig, UnsupportedKeysAreRefusedNamingTheKeyAndValue) {
    TinyModel m(ModelType::Qwen3);
    const json base = read_config(m);
    EXPECT_NE(error_with(m, base, "model_type", "olmo3").find("config.json: unsupported model_type 'olmo3' (supported: llama, qwen2, qwen3, mistral, "
                                                     "gemma2, gemma3_text, phi3, olmo2, smollm3, gpt2 or bert)"),
              std::string::npos);
    EXPECT_NE(error_with(m, base, "model_type", "gemma3").find("config.json: model_type 'gemma3' needs a text_config object"), std::string::npos);
    EXPECT_NE(error_with(m, base, "mlp_bias", true).find("mlp_bias true is not supported"), std::string::npos);
    TinyModel mistral(ModelType::Mistral);
    const json windowed = read_config(mistral);
    EXPECT_NE(error_with(mistral, windowed, "layer_types", {"full_attention", "chunked_attention"}).find("layer_types entry 'chunked_attention' is not supported"),
              std::string::npos);
    EXPECT_NE(error_with(mistral, windowed, "layer_types", {"full_attention"}).find("layer_types must list one type for each of the 2 layers"),
              std::string::npos);
    EXPECT_NE(error_with(mistral, windowed, "sliding_window", "4096").find("sliding_window must be a positive integer or null"), std::string::npos);
}

TEST(FamilyConfig, TensorsTheConfigDoesNotDescribeAreRefused) {
    // A Qwen3 checkpoint whose config.json says llama: its q/k norms would be dropped without a word.
    TinyModel m(ModelType::Qwen3);
    json config = read_config(m);
    config["model_type"] = "llama";
    write_config(m, config);
    try {
        TransformerModel::load(m.dir.path());
        FAIL() << "a q_norm under model_type llama was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("model.safetensors: tensor 'model.layers.0.self_attn.k_norm.weight' is not a weight of "
                                             "Qwen3ForCausalLM as config.json (model_type llama) describes it"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace amalgam
