#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/util/name_table.h"

namespace amalgam {

/** The model families Amalgam runs. */
enum class ModelFamily {
    Llama,  ///< LlamaForCausalLM and Qwen2ForCausalLM (q/k/v bias)
    Gpt2,   ///< GPT2LMHeadModel
    Bert    ///< BertModel, used as a sentence encoder (mean pooling, L2 normalisation)
};
inline constexpr NameTable<ModelFamily, 3> model_family_names{
    "model family", {{{ModelFamily::Llama, "llama"}, {ModelFamily::Gpt2, "gpt2"}, {ModelFamily::Bert, "bert"}}}};
constexpr const auto& names(ModelFamily) { return model_family_names; }

/** How rotary position embeddings turn positions into angles, as Hugging Face's "rope_type"
 *  names the variants: plain, linear (positions divided by `factor`), or Llama 3 (low
 *  frequencies divided by `factor`, with a smooth band between). */
enum class RopeType { Default, Linear, Llama3 };
inline constexpr NameTable<RopeType, 3> rope_type_names{
    "rope_type", {{{RopeType::Default, "default"}, {RopeType::Linear, "linear"}, {RopeType::Llama3, "llama3"}}}};
constexpr const auto& names(RopeType) { return rope_type_names; }

/** The MLP's activation, as Hugging Face's hidden_act (activation_function for GPT-2) names
 *  it; the tanh approximation of GELU goes by three names. */
enum class Activation { Silu, Gelu, GeluTanh, Relu };
inline constexpr NameTable<Activation, 7> activation_names{"hidden_act",
                                                           {{{Activation::Silu, "silu"},
                                                             {Activation::Gelu, "gelu"},
                                                             {Activation::GeluTanh, "gelu_new"},
                                                             {Activation::Relu, "relu"},
                                                             {Activation::Silu, "swish"},
                                                             {Activation::GeluTanh, "gelu_pytorch_tanh"},
                                                             {Activation::GeluTanh, "gelu_fast"}}}};
constexpr const auto& names(Activation) { return activation_names; }

struct Rope {
    RopeType type = RopeType::Default;
    double theta = 10000.0;
    double factor = 1.0;                                ///< linear and llama3
    double low_freq_factor = 1.0;                       ///< llama3
    double high_freq_factor = 4.0;                      ///< llama3
    std::int64_t original_max_position_embeddings = 0;  ///< llama3: the pre-training context

    bool operator==(const Rope& o) const {
        return type == o.type && theta == o.theta && factor == o.factor && low_freq_factor == o.low_freq_factor &&
               high_freq_factor == o.high_freq_factor && original_max_position_embeddings == o.original_max_position_embeddings;
    }
    bool operator!=(const Rope& o) const { return !(*this == o); }
};

/** What config.json says about a model, in one vocabulary for every family. */
struct ModelConfig {
    ModelFamily family = ModelFamily::Llama;
    std::string architecture;   ///< as in config.json, e.g. "LlamaForCausalLM"
    std::int64_t vocab_size = 0;
    std::int64_t hidden_size = 0;
    std::int64_t num_layers = 0;
    std::int64_t num_heads = 0;
    std::int64_t num_kv_heads = 0;
    std::int64_t intermediate_size = 0;
    std::int64_t max_positions = 0;
    std::int64_t type_vocab_size = 0;  ///< BERT token types
    double norm_eps = 1e-5;
    Rope rope;                         ///< Llama family only
    bool tie_word_embeddings = false;
    bool attention_bias = false;       ///< biases on q/k/v projections (Qwen2)
    Activation hidden_act = Activation::Silu;
    std::optional<std::int64_t> bos_token_id, eos_token_id, pad_token_id;

    std::int64_t head_dim() const { return hidden_size / num_heads; }
    bool is_causal() const { return family != ModelFamily::Bert; }

    /** Reads config.json; throws std::runtime_error naming the file and the field. */
    static ModelConfig load(const std::filesystem::path& path);
    static ModelConfig from_json(const nlohmann::json& j, const std::string& source);
    /** The config.json Hugging Face would write for this model. */
    nlohmann::json to_json() const;
};

}  // namespace amalgam
