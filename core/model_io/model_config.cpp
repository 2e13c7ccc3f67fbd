#include "core/model_io/model_config.h"

#include "core/model_io/rope_config.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace amalgam {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& what) { throw std::runtime_error(source + ": " + what); }

std::int64_t require_int(const json& j, const char* key, const std::string& source) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) fail(source, std::string("missing or non-integer field '") + key + "'");
    return it->get<std::int64_t>();
}

std::optional<std::int64_t> optional_id(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;  // absent, null, or a list (several eos ids)
    return it->get<std::int64_t>();
}

/** The activation a config names under `key`, checked when the model loads rather than in its
 *  first forward pass. */
Activation activation(const json& j, const char* key, const char* fallback, const std::string& source) {
    const std::string name = j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
    const std::optional<Activation> a = activation_names.find(name);
    if (!a) fail(source, std::string(key) + " '" + name + "' is not supported (" + activation_names.choices() + ")");
    return *a;
}

}  // namespace

namespace {

bool flag(const json& j, const char* key, bool fallback, const std::string& source) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) fail(source, std::string(key) + " must be true or false");
    return it->get<bool>();
}

/** A number that may be null (a feature turned off): 0 then, `fallback` where the key is absent. */
double number_or_off(const json& j, const char* key, double fallback, const std::string& source) {
    auto it = j.find(key);
    if (it == j.end()) return fallback;
    if (it->is_null()) return 0;
    if (!it->is_number() || it->get<double>() < 0) fail(source, std::string(key) + " must be a positive number or null");
    return it->get<double>();
}

/** Per layer, whether it attends within the window: config.json's layer_types where it has them
 *  (transformers 5), else `is_sliding` of the layer index, the family's pattern. */
std::vector<bool> sliding_layers(const json& j, std::int64_t layers, const std::string& source, bool (*is_sliding)(std::int64_t, const json&)) {
    std::vector<bool> out;
    if (auto it = j.find("layer_types"); it != j.end() && !it->is_null()) {
        if (!it->is_array() || static_cast<std::int64_t>(it->size()) != layers)
            fail(source, "layer_types must list one type for each of the " + std::to_string(layers) + " layers");
        for (const json& t : *it) {
            const std::string type = t.is_string() ? t.get<std::string>() : t.dump();
            if (type != "full_attention" && type != "sliding_attention")
                fail(source, "layer_types entry '" + type + "' is not supported (full_attention or sliding_attention)");
            out.push_back(type == "sliding_attention");
        }
        return out;
    }
    for (std::int64_t i = 0; i < layers; ++i) out.push_back(is_sliding(i, j));
    return out;
}

/** The settings every decoder config spells alike. */
void read_decoder_common(const json& j, ModelConfig& c, const std::string& source) {
    c.hidden_size = require_int(j, "hidden_size", source);
    c.num_layers = require_int(j, "num_hidden_layers", source);
    c.num_heads = require_int(j, "num_attention_heads", source);
    c.num_kv_heads = j.value("num_key_value_heads", c.num_heads);
    c.intermediate_size = require_int(j, "intermediate_size", source);
    c.max_positions = j.value("max_position_embeddings", std::int64_t{2048});
    c.norm_eps = j.value("rms_norm_eps", 1e-6);
    if (auto it = j.find("head_dim"); it != j.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<std::int64_t>() <= 0) fail(source, "head_dim must be a positive integer");
        c.head_size = it->get<std::int64_t>();
    }
    c.tie_word_embeddings = flag(j, "tie_word_embeddings", false, source);
    const bool bias = flag(j, "attention_bias", false, source);
    c.decoder.qkv_bias = c.decoder.output_bias = bias;
    if (flag(j, "mlp_bias", false, source)) fail(source, "mlp_bias true is not supported (MLP projections without biases)");
    c.hidden_act = activation(j, "hidden_act", "silu", source);
    c.decoder.partial_rotary_factor = read_partial_rotary_factor(j, source);
    c.rope = read_rope(j, c.max_positions, source);
}

/** Mistral's, Phi-3's and Qwen's sliding window: an integer, or null for none. */
void read_sliding_window(const json& j, ModelConfig& c, const std::string& source, bool (*is_sliding)(std::int64_t, const json&)) {
    auto it = j.find("sliding_window");
    if (it == j.end() || it->is_null()) return;
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0) fail(source, "sliding_window must be a positive integer or null");
    c.decoder.sliding_window = it->get<std::int64_t>();
    c.decoder.sliding_layers = sliding_layers(j, c.num_layers, source, is_sliding);
}

bool every_layer(std::int64_t, const json&) { return true; }
/** Qwen2 and Qwen3 (and SmolLM3, which copies them): layers from max_window_layers on, where
 *  use_sliding_window is set. */
bool qwen_sliding(std::int64_t layer, const json& j) {
    return j.value("use_sliding_window", false) && layer >= j.value("max_window_layers", std::int64_t{28});
}
bool gemma2_sliding(std::int64_t layer, const json&) { return layer % 2 == 0; }
bool gemma3_sliding(std::int64_t layer, const json& j) { return (layer + 1) % j.value("sliding_window_pattern", std::int64_t{6}) != 0; }

/** Gemma 2 and 3: scaled embeddings, (1 + w) norms around both blocks, GeGLU, the query scalar. */
void read_gemma(const json& j, ModelConfig& c, const std::string& source) {
    DecoderFeatures& d = c.decoder;
    d.norms = NormPlacement::Around;
    d.norm_plus_one = d.scaled_embeddings = true;
    c.tie_word_embeddings = flag(j, "tie_word_embeddings", true, source);
    // Gemma's own key; hidden_act is what transformers 4 also kept, and ignores.
    c.hidden_act = activation(j, j.contains("hidden_activation") ? "hidden_activation" : "hidden_act", "gelu_pytorch_tanh", source);
    if (!j.contains("head_dim") || j["head_dim"].is_null()) c.head_size = 256;  // Gemma's default
    d.query_pre_attn_scalar = number_or_off(j, "query_pre_attn_scalar", 256, source);
    if (d.query_pre_attn_scalar <= 0) fail(source, "query_pre_attn_scalar must be a positive number");
}

void read_decoder(const json& j, ModelType type, ModelConfig& c, const std::string& source) {
    read_decoder_common(j, c, source);
    DecoderFeatures& d = c.decoder;
    switch (type) {
        case ModelType::Llama: break;
        case ModelType::Qwen2:
            d.qkv_bias = true;
            d.output_bias = false;
            if (j.value("use_sliding_window", false)) read_sliding_window(j, c, source, qwen_sliding);
            break;
        case ModelType::Qwen3:
            d.qk_norm = QkNorm::PerHead;
            if (j.value("use_sliding_window", false)) read_sliding_window(j, c, source, qwen_sliding);
            break;
        case ModelType::Mistral: read_sliding_window(j, c, source, every_layer); break;
        case ModelType::Gemma2:
            read_gemma(j, c, source);
            d.attn_logit_softcapping = number_or_off(j, "attn_logit_softcapping", 50.0, source);
            d.final_logit_softcapping = number_or_off(j, "final_logit_softcapping", 30.0, source);
            d.sliding_window = j.value("sliding_window", std::int64_t{4096});
            d.sliding_layers = sliding_layers(j, c.num_layers, source, gemma2_sliding);
            break;
        case ModelType::Gemma3:
            read_gemma(j, c, source);
            d.qk_norm = QkNorm::PerHead;
            d.attn_logit_softcapping = number_or_off(j, "attn_logit_softcapping", 0, source);
            d.final_logit_softcapping = number_or_off(j, "final_logit_softcapping", 0, source);
            d.sliding_window = j.value("sliding_window", std::int64_t{4096});
            d.sliding_layers = sliding_layers(j, c.num_layers, source, gemma3_sliding);
            if (!j.contains("rope_theta") && !j.contains("rope_parameters")) c.rope.theta = 1'000'000.0;  // Gemma 3's default
            if (has_rope_per_layer_type(j)) {
                d.sliding_rope = read_rope(j, c.max_positions, source, "sliding_attention");
            } else {
                Rope local;
                local.theta = j.value("rope_local_base_freq", 10000.0);
                d.sliding_rope = local;
            }
            break;
        case ModelType::Phi3:
            d.fused_projections = true;
            d.qkv_bias = d.output_bias = false;
            read_sliding_window(j, c, source, every_layer);
            break;
        case ModelType::Olmo2:
            d.norms = NormPlacement::After;
            d.qk_norm = QkNorm::Whole;
            break;
        case ModelType::SmolLM3: {
            if (j.value("use_sliding_window", false)) read_sliding_window(j, c, source, qwen_sliding);
            const std::int64_t interval = j.value("no_rope_layer_interval", std::int64_t{4});
            if (auto it = j.find("no_rope_layers"); it != j.end() && !it->is_null()) {
                if (!it->is_array() || static_cast<std::int64_t>(it->size()) != c.num_layers)
                    fail(source, "no_rope_layers must give 1 (rotary) or 0 (none) for each of the " + std::to_string(c.num_layers) + " layers");
                for (const json& v : *it) {
                    if (!v.is_number_integer() || (v.get<int>() != 0 && v.get<int>() != 1))
                        fail(source, "no_rope_layers entry " + v.dump() + " is not 0 or 1");
                    d.rope_layers.push_back(v.get<int>() == 1);
                }
            } else {
                if (interval <= 0) fail(source, "no_rope_layer_interval must be positive");
                for (std::int64_t i = 0; i < c.num_layers; ++i) d.rope_layers.push_back((i + 1) % interval != 0);
            }
            break;
        }
        case ModelType::Gpt2:
        case ModelType::Bert: throw std::logic_error("not a decoder");
    }
    if (d.sliding_window > 0 && d.sliding_layers.empty()) d.sliding_layers.assign(static_cast<std::size_t>(c.num_layers), false);
    if (c.rotary_dim() < 2 || c.rotary_dim() % 2 != 0)
        fail(source, "partial_rotary_factor " + std::to_string(d.partial_rotary_factor) + " of a head of " + std::to_string(c.head_dim()) +
                         " gives " + std::to_string(c.rotary_dim()) + " rotary dimensions, not a positive even number");
    for (const Rope* rope : {&c.rope, d.sliding_rope ? &*d.sliding_rope : nullptr})
        if (rope && rope->type == RopeType::LongRope && static_cast<std::int64_t>(rope->short_factor.size()) != c.rotary_dim() / 2)
            fail(source, "rope_scaling.short_factor has " + std::to_string(rope->short_factor.size()) + " entries, not one for each of the " +
                             std::to_string(c.rotary_dim() / 2) + " rotary frequencies");
    if (c.architecture.empty()) c.architecture = default_architecture(type);
}

}  // namespace

const char* default_architecture(ModelType type) {
    switch (type) {
        case ModelType::Llama: return "LlamaForCausalLM";
        case ModelType::Qwen2: return "Qwen2ForCausalLM";
        case ModelType::Qwen3: return "Qwen3ForCausalLM";
        case ModelType::Mistral: return "MistralForCausalLM";
        case ModelType::Gemma2: return "Gemma2ForCausalLM";
        case ModelType::Gemma3: return "Gemma3ForCausalLM";
        case ModelType::Phi3: return "Phi3ForCausalLM";
        case ModelType::Olmo2: return "Olmo2ForCausalLM";
        case ModelType::SmolLM3: return "SmolLM3ForCausalLM";
        case ModelType::Gpt2: return "GPT2LMHeadModel";
        case ModelType::Bert: return "BertModel";
    }
    return "";
}

namespace {

std::string architecture_of(const json& j) {
    if (j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty() && j["architectures"][0].is_string())
        return j["architectures"][0].get<std::string>();
    return "";
}

}  // namespace

ModelConfig ModelConfig::from_json(const json& j, const std::string& source) {
    ModelConfig c;
    const std::string model_type = j.value("model_type", "");
    c.architecture = architecture_of(j);
    if (model_type == "gemma3") {
        // The multimodal checkpoint (gemma-3-4b and up): its text model, from text_config over
        // Gemma3TextConfig's defaults, which the Hub's configs leave out.
        auto text = j.find("text_config");
        if (text == j.end() || !text->is_object()) fail(source, "model_type 'gemma3' needs a text_config object");
        json merged = {{"vocab_size", 262208},      {"hidden_size", 2304},         {"intermediate_size", 9216},
                       {"num_hidden_layers", 26},   {"num_attention_heads", 8},    {"num_key_value_heads", 4},
                       {"head_dim", 256},           {"max_position_embeddings", 131072}, {"rms_norm_eps", 1e-6},
                       {"query_pre_attn_scalar", 256}, {"sliding_window", 4096},   {"sliding_window_pattern", 6},
                       {"rope_local_base_freq", 10000.0}, {"tie_word_embeddings", true}, {"bos_token_id", 2},
                       {"eos_token_id", 1},         {"pad_token_id", 0}};
        if (!text->contains("rope_parameters")) merged["rope_theta"] = 1000000.0;
        merged.update(*text);
        merged["model_type"] = "gemma3_text";
        ModelConfig c = from_json(merged, source + " (text_config)");
        c.text_of_multimodal = true;
        if (!architecture_of(j).empty()) c.architecture = architecture_of(j);  // Gemma3ForConditionalGeneration
        return c;
    }
    const std::optional<ModelType> type = model_type_names.find(model_type);
    if (!type) fail(source, "unsupported model_type '" + model_type + "' (supported: " + model_type_names.choices() + ")");
    c.type = *type;
    if (c.type == ModelType::Gpt2) {
        c.family = ModelFamily::Gpt2;
        c.hidden_size = require_int(j, "n_embd", source);
        c.num_layers = require_int(j, "n_layer", source);
        c.num_heads = require_int(j, "n_head", source);
        c.num_kv_heads = c.num_heads;
        c.intermediate_size = j.contains("n_inner") && j["n_inner"].is_number_integer() ? j["n_inner"].get<std::int64_t>() : 4 * c.hidden_size;
        c.max_positions = require_int(j, "n_positions", source);
        c.norm_eps = j.value("layer_norm_epsilon", 1e-5);
        c.tie_word_embeddings = j.value("tie_word_embeddings", true);
        c.hidden_act = activation(j, "activation_function", "gelu_new", source);
        if (c.architecture.empty()) c.architecture = default_architecture(c.type);
    } else if (c.type == ModelType::Bert) {
        c.family = ModelFamily::Bert;
        c.hidden_size = require_int(j, "hidden_size", source);
        c.num_layers = require_int(j, "num_hidden_layers", source);
        c.num_heads = require_int(j, "num_attention_heads", source);
        c.num_kv_heads = c.num_heads;
        c.intermediate_size = require_int(j, "intermediate_size", source);
        c.max_positions = require_int(j, "max_position_embeddings", source);
        c.type_vocab_size = j.value("type_vocab_size", std::int64_t{2});
        c.norm_eps = j.value("layer_norm_eps", 1e-12);
        c.hidden_act = activation(j, "hidden_act", "gelu", source);
        if (c.architecture.empty()) c.architecture = default_architecture(c.type);
    } else {
        c.family = ModelFamily::Llama;
        read_decoder(j, c.type, c, source);
    }
    c.vocab_size = require_int(j, "vocab_size", source);
    if (c.num_heads <= 0 || (c.head_size == 0 && c.hidden_size % c.num_heads != 0))
        fail(source, "hidden size " + std::to_string(c.hidden_size) + " is not a multiple of the head count " + std::to_string(c.num_heads));
    if (c.num_kv_heads <= 0 || c.num_heads % c.num_kv_heads != 0)
        fail(source, "num_attention_heads must be a multiple of num_key_value_heads");
    c.bos_token_id = optional_id(j, "bos_token_id");
    c.eos_token_id = optional_id(j, "eos_token_id");
    c.pad_token_id = optional_id(j, "pad_token_id");
    return c;
}

ModelConfig ModelConfig::load(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) fail(path.string(), "cannot open");
    try {
        return from_json(json::parse(in), path.string());
    } catch (const json::exception& e) {
        fail(path.string(), std::string("malformed config.json: ") + e.what());
    }
}

namespace {

json optional_number(double value) { return value > 0 ? json(value) : json(nullptr); }

void write_decoder(const ModelConfig& c, json& j) {
    const DecoderFeatures& d = c.decoder;
    j.update({{"model_type", to_string(c.type)},
              {"hidden_size", c.hidden_size},
              {"num_hidden_layers", c.num_layers},
              {"num_attention_heads", c.num_heads},
              {"num_key_value_heads", c.num_kv_heads},
              {"intermediate_size", c.intermediate_size},
              {"max_position_embeddings", c.max_positions},
              {"rms_norm_eps", c.norm_eps},
              {"tie_word_embeddings", c.tie_word_embeddings},
              {"hidden_act", to_string(c.hidden_act)}});
    if (c.type != ModelType::Phi3) j["attention_bias"] = d.qkv_bias;
    if (c.head_size > 0) j["head_dim"] = c.head_size;
    write_rope(c.rope, j);
    if (d.partial_rotary_factor != 1.0) j["partial_rotary_factor"] = d.partial_rotary_factor;
    if (c.rope.type == RopeType::LongRope) j["original_max_position_embeddings"] = c.rope.original_max_position_embeddings;
    if (d.sliding_window > 0) {
        j["sliding_window"] = d.sliding_window;
        json types = json::array();
        for (bool sliding : d.sliding_layers) types.push_back(sliding ? "sliding_attention" : "full_attention");
        j["layer_types"] = types;
        if (c.type == ModelType::Qwen2 || c.type == ModelType::Qwen3 || c.type == ModelType::SmolLM3) j["use_sliding_window"] = true;
    } else if (c.type == ModelType::Mistral || c.type == ModelType::Phi3) {
        j["sliding_window"] = nullptr;  // transformers 4's Mistral would take 4096
    }
    if (d.norm_plus_one) {  // Gemma
        j["hidden_activation"] = to_string(c.hidden_act);
        j["query_pre_attn_scalar"] = d.query_pre_attn_scalar;
        j["attn_logit_softcapping"] = optional_number(d.attn_logit_softcapping);
        j["final_logit_softcapping"] = optional_number(d.final_logit_softcapping);
    }
    if (d.sliding_rope) j["rope_local_base_freq"] = d.sliding_rope->theta;
    if (c.type == ModelType::Gemma3)  // transformers 4 reads the layer types from their period
        for (std::int64_t period = 1; period <= c.num_layers + 1; ++period) {
            bool fits = true;
            for (std::int64_t i = 0; i < c.num_layers; ++i) fits = fits && c.is_sliding(i) == ((i + 1) % period != 0);
            if (fits) {
                j["sliding_window_pattern"] = period;
                break;
            }
        }
    if (!d.rope_layers.empty()) {
        json layers = json::array();
        for (bool rope : d.rope_layers) layers.push_back(rope ? 1 : 0);
        j["no_rope_layers"] = layers;
    }
}

std::string number_text(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return text;
}

}  // namespace

std::vector<std::string> ModelConfig::features() const {
    std::vector<std::string> out;
    if (family != ModelFamily::Llama) return out;
    const DecoderFeatures& d = decoder;
    if (d.qkv_bias) out.push_back(d.output_bias ? "q/k/v/o biases" : "q/k/v biases");
    if (d.fused_projections) out.push_back("fused qkv_proj and gate_up_proj");
    if (head_size > 0 && head_size * num_heads != hidden_size) out.push_back("head_dim " + std::to_string(head_size));
    if (num_kv_heads != num_heads) out.push_back("grouped-query attention (" + std::to_string(num_heads / num_kv_heads) + " query heads per key/value head)");
    if (d.norms != NormPlacement::Before) out.push_back(std::string("norms ") + (d.norms == NormPlacement::Around ? "before and after" : "after") + " attention and MLP");
    if (d.norm_plus_one) out.push_back("RMSNorm (1 + w)");
    if (d.scaled_embeddings) out.push_back("embeddings scaled by sqrt(hidden size)");
    if (d.qk_norm != QkNorm::None) out.push_back(std::string("q/k RMSNorm ") + to_string(d.qk_norm));
    if (d.query_pre_attn_scalar > 0) out.push_back("query_pre_attn_scalar " + number_text(d.query_pre_attn_scalar));
    if (d.attn_logit_softcapping > 0) out.push_back("attention logit soft-capping " + number_text(d.attn_logit_softcapping));
    if (d.final_logit_softcapping > 0) out.push_back("final logit soft-capping " + number_text(d.final_logit_softcapping));
    if (d.sliding_window > 0) {
        const auto sliding = std::count(d.sliding_layers.begin(), d.sliding_layers.end(), true);
        out.push_back("sliding window " + std::to_string(d.sliding_window) + " on " + std::to_string(sliding) + " of " + std::to_string(num_layers) + " layers");
    }
    std::string rope_text = std::string("RoPE ") + to_string(rope.type) + " (theta " + number_text(rope.theta);
    if (rope.type != RopeType::Default) rope_text += ", factor " + number_text(rope.factor);
    if (rope.attention_factor != 1.0) rope_text += ", attention factor " + number_text(rope.attention_factor);
    out.push_back(rope_text + ")");
    if (d.sliding_rope) out.push_back("sliding layers' RoPE " + std::string(to_string(d.sliding_rope->type)) + " (theta " + number_text(d.sliding_rope->theta) + ")");
    if (rotary_dim() != head_dim()) out.push_back("partial rotary: " + std::to_string(rotary_dim()) + " of " + std::to_string(head_dim()) + " head dimensions");
    if (!d.rope_layers.empty()) {
        std::string nope;
        for (std::size_t i = 0; i < d.rope_layers.size(); ++i)
            if (!d.rope_layers[i]) nope += (nope.empty() ? "" : ", ") + std::to_string(i);
        if (!nope.empty()) out.push_back("no RoPE (NoPE) on layers " + nope);
    }
    out.push_back(std::string("MLP ") + (hidden_act == Activation::GeluTanh ? "GeGLU (gelu tanh)" : hidden_act == Activation::Silu ? "SwiGLU" : to_string(hidden_act)));
    if (tie_word_embeddings) out.push_back("tied embeddings");
    if (text_of_multimodal) out.push_back("the text model of a multimodal checkpoint (its vision tower is not read)");
    return out;
}

json ModelConfig::to_json() const {
    json j = {{"architectures", {architecture}}, {"vocab_size", vocab_size}};
    auto ids = [&](json& out) {
        if (bos_token_id) out["bos_token_id"] = *bos_token_id;
        if (eos_token_id) out["eos_token_id"] = *eos_token_id;
        if (pad_token_id) out["pad_token_id"] = *pad_token_id;
    };
    switch (family) {
        case ModelFamily::Llama: write_decoder(*this, j); break;
        case ModelFamily::Gpt2:
            j.update({{"model_type", "gpt2"},
                      {"n_embd", hidden_size},
                      {"n_layer", num_layers},
                      {"n_head", num_heads},
                      {"n_inner", intermediate_size},
                      {"n_positions", max_positions},
                      {"layer_norm_epsilon", norm_eps},
                      {"activation_function", to_string(hidden_act)},
                      {"tie_word_embeddings", tie_word_embeddings}});
            break;
        case ModelFamily::Bert:
            j.update({{"model_type", "bert"},
                      {"hidden_size", hidden_size},
                      {"num_hidden_layers", num_layers},
                      {"num_attention_heads", num_heads},
                      {"intermediate_size", intermediate_size},
                      {"max_position_embeddings", max_positions},
                      {"type_vocab_size", type_vocab_size},
                      {"layer_norm_eps", norm_eps},
                      {"hidden_act", to_string(hidden_act)}});
            break;
    }
    ids(j);
    return j;
}

}  // namespace amalgam
