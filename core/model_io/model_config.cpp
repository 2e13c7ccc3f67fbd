#include "core/model_io/model_config.h"

#include "core/model_io/rope_config.h"

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

ModelConfig ModelConfig::from_json(const json& j, const std::string& source) {
    ModelConfig c;
    std::string model_type = j.value("model_type", "");
    if (j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty())
        c.architecture = j["architectures"][0].get<std::string>();
    if (model_type == "llama" || model_type == "qwen2" || model_type == "mistral") {
        c.family = ModelFamily::Llama;
        c.hidden_size = require_int(j, "hidden_size", source);
        c.num_layers = require_int(j, "num_hidden_layers", source);
        c.num_heads = require_int(j, "num_attention_heads", source);
        c.num_kv_heads = j.value("num_key_value_heads", c.num_heads);
        c.intermediate_size = require_int(j, "intermediate_size", source);
        c.max_positions = j.value("max_position_embeddings", std::int64_t{2048});
        c.norm_eps = j.value("rms_norm_eps", 1e-6);
        c.rope = read_rope(j, c.max_positions, source);
        c.tie_word_embeddings = j.value("tie_word_embeddings", false);
        c.attention_bias = model_type == "qwen2" || j.value("attention_bias", false);
        c.hidden_act = activation(j, "hidden_act", "silu", source);
        if (j.contains("head_dim") && j["head_dim"].is_number_integer() && j["head_dim"].get<std::int64_t>() * c.num_heads != c.hidden_size)
            fail(source, "head_dim " + std::to_string(j["head_dim"].get<std::int64_t>()) + " times " + std::to_string(c.num_heads) +
                             " heads is not the hidden size " + std::to_string(c.hidden_size) + " (not supported)");
        if (c.architecture.empty()) c.architecture = model_type == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM";
    } else if (model_type == "gpt2") {
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
        if (c.architecture.empty()) c.architecture = "GPT2LMHeadModel";
    } else if (model_type == "bert") {
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
        if (c.architecture.empty()) c.architecture = "BertModel";
    } else {
        fail(source, "unsupported model_type '" + model_type + "' (supported: llama, qwen2, mistral, gpt2, bert)");
    }
    c.vocab_size = require_int(j, "vocab_size", source);
    if (c.num_heads <= 0 || c.hidden_size % c.num_heads != 0)
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

json ModelConfig::to_json() const {
    json j = {{"architectures", {architecture}}, {"vocab_size", vocab_size}};
    auto ids = [&](json& out) {
        if (bos_token_id) out["bos_token_id"] = *bos_token_id;
        if (eos_token_id) out["eos_token_id"] = *eos_token_id;
        if (pad_token_id) out["pad_token_id"] = *pad_token_id;
    };
    switch (family) {
        case ModelFamily::Llama:
            j.update({{"model_type", architecture == "Qwen2ForCausalLM" ? "qwen2" : "llama"},
                      {"hidden_size", hidden_size},
                      {"num_hidden_layers", num_layers},
                      {"num_attention_heads", num_heads},
                      {"num_key_value_heads", num_kv_heads},
                      {"intermediate_size", intermediate_size},
                      {"max_position_embeddings", max_positions},
                      {"rms_norm_eps", norm_eps},
                      {"tie_word_embeddings", tie_word_embeddings},
                      {"attention_bias", attention_bias},
                      {"hidden_act", to_string(hidden_act)}});
            write_rope(rope, j);
            break;
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
