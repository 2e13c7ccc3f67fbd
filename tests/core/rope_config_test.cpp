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

ModelConfig llama_with(const Rope& rope) {
    ModelConfig c = preset_config(ModelFamily::Llama, "tiny");
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
        TinyModel m(ModelFamily::Llama, llama_with(rope));
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
    TinyModel plain(ModelFamily::Llama, llama_with({}));
    TinyModel scaled(ModelFamily::Llama, llama_with(kLlama3));
    write_config(scaled, as_transformers5(read_config(scaled)));
    EXPECT_GT((logits_of(plain) - logits_of(scaled)).abs().max().item<float>(), 1e-3);
}

TEST(RopeConfig, BothLayoutsMayBePresentWhenTheyAgree) {
    TinyModel m(ModelFamily::Llama, llama_with(kLlama3));
    json config = read_config(m);
    config["rope_parameters"] = as_transformers5(config)["rope_parameters"];
    write_config(m, config);
    EXPECT_EQ(ModelConfig::load(m.dir / "config.json").rope, kLlama3);
}

TEST(RopeConfig, DisagreementIsAnErrorNamingTheFile) {
    TinyModel m(ModelFamily::Llama, llama_with(kLlama3));
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
    TinyModel m(ModelFamily::Llama, llama_with({}));
    const json base = read_config(m);
    auto error_with = [&](const char* key, const json& value) {
        json config = base;
        config[key] = value;
        write_config(m, config);
        return load_error(m);
    };
    std::string error = error_with("rope_parameters", {{"rope_type", "yarn"}, {"factor", 4.0}, {"rope_theta", 1e6}});
    EXPECT_NE(error.find("config.json: rope_parameters.rope_type 'yarn' is not supported"), std::string::npos) << error;
    error = error_with("rope_scaling", {{"type", "dynamic"}, {"factor", 2.0}});
    EXPECT_NE(error.find("rope_scaling.type 'dynamic' is not supported"), std::string::npos) << error;
    error = error_with("rope_parameters", {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}});
    EXPECT_NE(error.find("rope_parameters.high_freq_factor is missing"), std::string::npos) << error;
    error = error_with("rope_scaling", "linear");
    EXPECT_NE(error.find("rope_scaling must be an object"), std::string::npos) << error;
    error = error_with("partial_rotary_factor", 0.5);
    EXPECT_NE(error.find("partial_rotary_factor"), std::string::npos) << error;
    error = error_with("head_dim", 32);  // tiny: 4 heads of 16
    EXPECT_NE(error.find("head_dim 32 times 4 heads is not the hidden size 64"), std::string::npos) << error;
    EXPECT_EQ(error_with("head_dim", 16), "");
    EXPECT_EQ(error_with("rope_scaling", nullptr), "");  // null is how transformers 4 writes "no scaling"
}

TEST(RopeConfig, Llama3FallsBackToMaxPositionsAsTransformers5Does) {
    json config = {{"rope_parameters", {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0}}}};
    EXPECT_EQ(read_rope(config, 4096, "c.json").original_max_position_embeddings, 4096);
    EXPECT_EQ(read_rope(config, 4096, "c.json").theta, 10000.0);
}

}  // namespace
}  // namespace amalgam
