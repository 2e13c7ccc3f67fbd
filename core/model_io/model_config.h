#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/name_table.h"

namespace amalgam {

/** The forward passes Amalgam runs: the decoder every Llama relative shares (its variants are the
 *  DecoderFeatures of a config), GPT-2's, and BERT's encoder. */
enum class ModelFamily {
    Llama,  ///< decoders read from Llama, Qwen2, Qwen3, Mistral, Gemma 2/3, Phi-3, OLMo 2 and SmolLM3 configs
    Gpt2,   ///< GPT2LMHeadModel
    Bert    ///< BertModel, used as a sentence encoder (mean pooling, L2 normalisation)
};
inline constexpr NameTable<ModelFamily, 3> model_family_names{
    "model family", {{{ModelFamily::Llama, "llama"}, {ModelFamily::Gpt2, "gpt2"}, {ModelFamily::Bert, "bert"}}}};
constexpr const auto& names(ModelFamily) { return model_family_names; }

/** The architectures config.json's model_type names, each read into one family ("gemma3" is
 *  another spelling for `model init --arch`; as a model_type it is Gemma 3's multimodal
 *  checkpoint, whose text model is read from its text_config). */
enum class ModelType { Llama, Qwen2, Qwen3, Mistral, Gemma2, Gemma3, Phi3, Olmo2, SmolLM3, Gpt2, Bert };
inline constexpr NameTable<ModelType, 12> model_type_names{"model_type",
                                                           {{{ModelType::Llama, "llama"},
                                                             {ModelType::Qwen2, "qwen2"},
                                                             {ModelType::Qwen3, "qwen3"},
                                                             {ModelType::Mistral, "mistral"},
                                                             {ModelType::Gemma2, "gemma2"},
                                                             {ModelType::Gemma3, "gemma3_text"},
                                                             {ModelType::Phi3, "phi3"},
                                                             {ModelType::Olmo2, "olmo2"},
                                                             {ModelType::SmolLM3, "smollm3"},
                                                             {ModelType::Gpt2, "gpt2"},
                                                             {ModelType::Bert, "bert"},
                                                             {ModelType::Gemma3, "gemma3"}}}};
constexpr const auto& names(ModelType) { return model_type_names; }

/** How rotary position embeddings turn positions into angles, as Hugging Face's "rope_type"
 *  names the variants: plain; linear (positions divided by `factor`); Llama 3 (low frequencies
 *  divided by `factor`, with a smooth band between); YaRN (interpolated below the beta_slow and
 *  extrapolated above the beta_fast rotations, cos and sin scaled by `attention_factor`);
 *  dynamic NTK (the base grows with a text longer than the context); LongRoPE (per-frequency
 *  short or long factors, by whether a text is longer than the original context). */
enum class RopeType { Default, Linear, Llama3, Yarn, Dynamic, LongRope };
inline constexpr NameTable<RopeType, 6> rope_type_names{"rope_type",
                                                        {{{RopeType::Default, "default"},
                                                          {RopeType::Linear, "linear"},
                                                          {RopeType::Llama3, "llama3"},
                                                          {RopeType::Yarn, "yarn"},
                                                          {RopeType::Dynamic, "dynamic"},
                                                          {RopeType::LongRope, "longrope"}}}};
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
    Rope(RopeType type = RopeType::Default, double theta = 10000.0, double factor = 1.0, double low_freq_factor = 1.0,
         double high_freq_factor = 4.0, std::int64_t original_max_position_embeddings = 0)
        : type(type), theta(theta), factor(factor), low_freq_factor(low_freq_factor), high_freq_factor(high_freq_factor),
          original_max_position_embeddings(original_max_position_embeddings) {}

    RopeType type = RopeType::Default;
    double theta = 10000.0;
    double factor = 1.0;                                ///< all but default
    double low_freq_factor = 1.0;                       ///< llama3
    double high_freq_factor = 4.0;                      ///< llama3
    std::int64_t original_max_position_embeddings = 0;  ///< llama3, yarn, longrope: the pre-training context
    double attention_factor = 1.0;                      ///< yarn, longrope: cos and sin scaled by it (resolved when read)
    double beta_fast = 32.0, beta_slow = 1.0;           ///< yarn
    bool truncate = true;                               ///< yarn: the ramp's ends rounded to whole dimensions
    std::vector<double> short_factor, long_factor;      ///< longrope: one per rotary frequency

    bool operator==(const Rope& o) const {
        return type == o.type && theta == o.theta && factor == o.factor && low_freq_factor == o.low_freq_factor &&
               high_freq_factor == o.high_freq_factor && original_max_position_embeddings == o.original_max_position_embeddings &&
               attention_factor == o.attention_factor && beta_fast == o.beta_fast && beta_slow == o.beta_slow &&
               truncate == o.truncate && short_factor == o.short_factor && long_factor == o.long_factor;
    }
    bool operator!=(const Rope& o) const { return !(*this == o); }
};

/** Where a decoder layer normalises: before attention and before the MLP (Llama); before and
 *  after both (Gemma: input, post-attention, pre- and post-feedforward norms); or after both
 *  only, on the branch before it joins the residual (OLMo 2). */
enum class NormPlacement { Before, Around, After };
inline constexpr NameTable<NormPlacement, 3> norm_placement_names{
    "norm placement", {{{NormPlacement::Before, "before"}, {NormPlacement::Around, "around"}, {NormPlacement::After, "after"}}}};
constexpr const auto& names(NormPlacement) { return norm_placement_names; }

/** RMSNorm of queries and keys before the rotary embedding: over each head (Qwen3, Gemma 3) or
 *  over the whole projection (OLMo 2). */
enum class QkNorm { None, PerHead, Whole };
inline constexpr NameTable<QkNorm, 3> qk_norm_names{
    "q/k norm", {{{QkNorm::None, "none"}, {QkNorm::PerHead, "per head"}, {QkNorm::Whole, "whole projection"}}}};
constexpr const auto& names(QkNorm) { return qk_norm_names; }

/** What sets one decoder apart from Llama's; the defaults are Llama's. */
struct DecoderFeatures {
    bool qkv_bias = false;              ///< biases on q/k/v (Qwen2, or attention_bias)
    bool output_bias = false;           ///< a bias on o_proj (attention_bias, not Qwen2)
    bool fused_projections = false;     ///< q/k/v stored as one qkv_proj, gate/up as gate_up_proj (Phi-3)
    NormPlacement norms = NormPlacement::Before;
    bool norm_plus_one = false;         ///< RMSNorm scales by (1 + w), in float32 (Gemma)
    bool scaled_embeddings = false;     ///< embeddings times sqrt(hidden size) (Gemma)
    QkNorm qk_norm = QkNorm::None;
    double query_pre_attn_scalar = 0;   ///< scores scaled by its inverse square root rather than the head's (Gemma); 0: the head's
    double attn_logit_softcapping = 0;  ///< scores capped by c tanh(s / c) (Gemma 2); 0: none
    double final_logit_softcapping = 0; ///< logits capped likewise; 0: none
    std::int64_t sliding_window = 0;    ///< a sliding layer's query sees this many positions, itself included; 0: none
    std::vector<bool> sliding_layers;   ///< per layer: whether it attends within the window
    std::vector<bool> rope_layers;      ///< per layer: whether it has rotary embeddings (SmolLM3's NoPE layers do not); empty: all
    std::optional<Rope> sliding_rope;   ///< the rotary embedding of sliding layers where it differs (Gemma 3's local base)
    double partial_rotary_factor = 1.0; ///< the share of each head the rotary embedding turns (Phi-4-mini: 0.75)
};

/** The architecture transformers names for a model_type ("Qwen3ForCausalLM"). */
const char* default_architecture(ModelType type);

/** What config.json says about a model, in one vocabulary for every family. */
struct ModelConfig {
    ModelFamily family = ModelFamily::Llama;
    ModelType type = ModelType::Llama;
    std::string architecture;   ///< as in config.json, e.g. "LlamaForCausalLM"
    std::int64_t vocab_size = 0;
    std::int64_t hidden_size = 0;
    std::int64_t num_layers = 0;
    std::int64_t num_heads = 0;
    std::int64_t num_kv_heads = 0;
    std::int64_t head_size = 0;        ///< config.json's head_dim where it gives one; 0: hidden size / heads
    std::int64_t intermediate_size = 0;
    std::int64_t max_positions = 0;
    std::int64_t type_vocab_size = 0;  ///< BERT token types
    double norm_eps = 1e-5;
    Rope rope;                         ///< Llama family only (of full-attention layers, where sliding ones differ)
    DecoderFeatures decoder;           ///< Llama family only
    bool tie_word_embeddings = false;
    bool text_of_multimodal = false;   ///< the text model of a multimodal checkpoint (Gemma 3's), its vision tower not read
    Activation hidden_act = Activation::Silu;
    std::optional<std::int64_t> bos_token_id, eos_token_id, pad_token_id;

    std::int64_t head_dim() const { return head_size > 0 ? head_size : hidden_size / num_heads; }
    /** The leading dimensions of a head the rotary embedding turns (even). */
    std::int64_t rotary_dim() const { return static_cast<std::int64_t>(static_cast<double>(head_dim()) * decoder.partial_rotary_factor); }
    bool is_causal() const { return family != ModelFamily::Bert; }
    /** The longest text the model takes: max_position_embeddings, or under dynamic NTK RoPE,
     *  whose base grows with a longer text, `factor` times that. */
    std::int64_t context_length() const {
        return rope.type == RopeType::Dynamic ? static_cast<std::int64_t>(static_cast<double>(max_positions) * rope.factor) : max_positions;
    }
    bool is_sliding(std::int64_t layer) const {
        return decoder.sliding_window > 0 && static_cast<std::size_t>(layer) < decoder.sliding_layers.size() && decoder.sliding_layers[layer];
    }
    bool has_rope(std::int64_t layer) const {
        return decoder.rope_layers.empty() || (static_cast<std::size_t>(layer) < decoder.rope_layers.size() && decoder.rope_layers[layer]);
    }
    /** What the model uses beyond a plain Llama decoder, one phrase each, for `model info`. */
    std::vector<std::string> features() const;

    /** Reads config.json; throws std::runtime_error naming the file and the field. */
    static ModelConfig load(const std::filesystem::path& path);
    static ModelConfig from_json(const nlohmann::json& j, const std::string& source);
    /** The config.json Hugging Face would write for this model. */
    nlohmann::json to_json() const;
};

}  // namespace amalgam
