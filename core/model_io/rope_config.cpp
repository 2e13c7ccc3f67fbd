#include "core/model_io/rope_config.h"

#include <cmath>
#include <optional>
#include <stdexcept>

namespace amalgam {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& what) { throw std::runtime_error(source + ": " + what); }

double number(const json& object, const std::string& key, const std::string& where, const std::string& source) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) fail(source, where + "." + key + " is missing");
    if (!it->is_number()) fail(source, where + "." + key + " must be a number");
    return it->get<double>();
}

std::optional<double> optional_number(const json& object, const std::string& key, const std::string& where, const std::string& source) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    return number(object, key, where, source);
}

std::vector<double> numbers(const json& object, const std::string& key, const std::string& where, const std::string& source) {
    auto it = object.find(key);
    if (it == object.end() || !it->is_array() || it->empty()) fail(source, where + "." + key + " must be a list of numbers");
    std::vector<double> out;
    for (const json& v : *it) {
        if (!v.is_number()) fail(source, where + "." + key + " must be a list of numbers");
        out.push_back(v.get<double>());
    }
    return out;
}

/** YaRN's attention factor where the dict gives none: 0.1 ln(factor) + 1, or DeepSeek's ratio of
 *  two such terms scaled by mscale and mscale_all_dim. */
double yarn_attention_factor(const json& dict, double factor, const std::string& where, const std::string& source) {
    auto scale = [&](double mscale) { return factor <= 1 ? 1.0 : 0.1 * mscale * std::log(factor) + 1.0; };
    const double mscale = optional_number(dict, "mscale", where, source).value_or(0);
    const double mscale_all_dim = optional_number(dict, "mscale_all_dim", where, source).value_or(0);
    if (mscale != 0 && mscale_all_dim != 0) return scale(mscale) / scale(mscale_all_dim);
    return scale(1.0);
}

/** One RoPE dict ("rope_scaling" or "rope_parameters", named by `where`); `theta` is the base
 *  when the dict has no "rope_theta" of its own, `original` the top-level
 *  original_max_position_embeddings (Phi-3's) where there is one. */
Rope read_dict(const json& dict, const std::string& where, double theta, std::int64_t max_positions, std::optional<double> original,
               const std::string& source) {
    const std::string type_key = dict.contains("rope_type") ? "rope_type" : "type";
    const std::string type = dict.contains(type_key) && dict[type_key].is_string() ? dict[type_key].get<std::string>() : "default";
    Rope r;
    r.theta = optional_number(dict, "rope_theta", where, source).value_or(theta);
    const std::optional<RopeType> rope_type = rope_type_names.find(type);
    if (!rope_type) fail(source, where + "." + type_key + " '" + type + "' is not supported (supported: " + rope_type_names.choices() + ")");
    r.type = *rope_type;
    if (r.type == RopeType::Default) return r;
    // transformers 5 falls back to the top-level value, then to max_position_embeddings, as here.
    const double context = optional_number(dict, "original_max_position_embeddings", where, source)
                               .value_or(original.value_or(static_cast<double>(max_positions)));
    // Dynamic NTK measures a text against max_position_embeddings, whatever the dict says; linear
    // scaling has no original context.
    if (r.type == RopeType::Dynamic) r.original_max_position_embeddings = max_positions;
    else if (r.type != RopeType::Linear) r.original_max_position_embeddings = static_cast<std::int64_t>(context);
    // YaRN and LongRoPE without a factor take the ratio of the context to the original one.
    const bool factor_implied = (r.type == RopeType::Yarn || r.type == RopeType::LongRope) && !optional_number(dict, "factor", where, source);
    r.factor = factor_implied ? static_cast<double>(max_positions) / context : number(dict, "factor", where, source);
    if (r.factor <= 0) fail(source, where + ".factor must be positive");
    switch (r.type) {
        case RopeType::Default:
        case RopeType::Linear:
        case RopeType::Dynamic: break;
        case RopeType::Llama3:
            r.low_freq_factor = number(dict, "low_freq_factor", where, source);
            r.high_freq_factor = number(dict, "high_freq_factor", where, source);
            if (r.high_freq_factor <= r.low_freq_factor) fail(source, where + ": high_freq_factor must be greater than low_freq_factor");
            break;
        case RopeType::Yarn:
            r.attention_factor = optional_number(dict, "attention_factor", where, source).value_or(yarn_attention_factor(dict, r.factor, where, source));
            // transformers reads `or 32` and `or 1`: a zero or null is the default.
            if (const double fast = optional_number(dict, "beta_fast", where, source).value_or(0); fast != 0) r.beta_fast = fast;
            if (const double slow = optional_number(dict, "beta_slow", where, source).value_or(0); slow != 0) r.beta_slow = slow;
            if (dict.contains("truncate")) {
                if (!dict["truncate"].is_boolean()) fail(source, where + ".truncate must be true or false");
                r.truncate = dict["truncate"].get<bool>();
            }
            break;
        case RopeType::LongRope:
            r.short_factor = numbers(dict, "short_factor", where, source);
            r.long_factor = numbers(dict, "long_factor", where, source);
            if (r.short_factor.size() != r.long_factor.size())
                fail(source, where + ".short_factor and long_factor must be as long as each other");
            r.attention_factor = optional_number(dict, "attention_factor", where, source)
                                     .value_or(r.factor <= 1 ? 1.0 : std::sqrt(1 + std::log(r.factor) / std::log(context)));
            break;
    }
    return r;
}

std::string describe(const Rope& r) {
    std::string s = std::string(to_string(r.type)) + ", theta " + std::to_string(r.theta);
    if (r.type != RopeType::Default) s += ", factor " + std::to_string(r.factor);
    if (r.original_max_position_embeddings) s += ", original_max_position_embeddings " + std::to_string(r.original_max_position_embeddings);
    if (r.type == RopeType::Llama3)
        s += ", low_freq_factor " + std::to_string(r.low_freq_factor) + ", high_freq_factor " + std::to_string(r.high_freq_factor);
    if (r.type == RopeType::Yarn)
        s += ", beta_fast " + std::to_string(r.beta_fast) + ", beta_slow " + std::to_string(r.beta_slow);
    if (r.type == RopeType::Yarn || r.type == RopeType::LongRope) s += ", attention_factor " + std::to_string(r.attention_factor);
    return s;
}

const json* present_object(const json& config, const char* key, const std::string& source) {
    auto it = config.find(key);
    if (it == config.end() || it->is_null()) return nullptr;
    if (!it->is_object()) fail(source, std::string(key) + " must be an object or null");
    return &*it;
}

}  // namespace

bool has_rope_per_layer_type(const json& config) {
    auto it = config.find("rope_parameters");
    return it != config.end() && it->is_object() && (it->contains("full_attention") || it->contains("sliding_attention"));
}

Rope read_rope(const json& config, std::int64_t max_positions, const std::string& source, const std::string& layer_type) {
    const std::optional<double> top_theta = optional_number(config, "rope_theta", "config", source);
    const std::optional<double> original = optional_number(config, "original_max_position_embeddings", "config", source);
    const json* scaling = present_object(config, "rope_scaling", source);
    const json* parameters = present_object(config, "rope_parameters", source);
    std::string where = "rope_parameters";
    if (parameters && has_rope_per_layer_type(config)) {
        where += "." + layer_type;
        parameters = present_object(*parameters, layer_type.c_str(), source + ": rope_parameters");
        if (!parameters) fail(source, where + " is missing");
    }

    const double theta = top_theta.value_or(10000.0);
    Rope old_layout;
    old_layout.theta = theta;
    if (scaling) old_layout = read_dict(*scaling, "rope_scaling", theta, max_positions, original, source);
    if (!parameters) return old_layout;

    Rope new_layout = read_dict(*parameters, where, theta, max_positions, original, source);
    if (top_theta && new_layout.theta != *top_theta && where == "rope_parameters")
        fail(source, "rope_theta " + std::to_string(*top_theta) + " and rope_parameters.rope_theta " + std::to_string(new_layout.theta) +
                         " disagree");
    if (scaling && old_layout != new_layout)
        fail(source, "rope_scaling (" + describe(old_layout) + ") and " + where + " (" + describe(new_layout) + ") disagree");
    return new_layout;
}

double read_partial_rotary_factor(const json& config, const std::string& source) {
    std::optional<double> factor = optional_number(config, "partial_rotary_factor", "config", source);
    if (const json* parameters = present_object(config, "rope_parameters", source); parameters && !has_rope_per_layer_type(config))
        if (auto inner = optional_number(*parameters, "partial_rotary_factor", "rope_parameters", source)) {
            if (factor && *factor != *inner)
                fail(source, "partial_rotary_factor " + std::to_string(*factor) + " and rope_parameters.partial_rotary_factor " +
                                 std::to_string(*inner) + " disagree");
            factor = inner;
        }
    if (factor && !(*factor > 0 && *factor <= 1)) fail(source, "partial_rotary_factor " + std::to_string(*factor) + " must be in (0, 1]");
    return factor.value_or(1.0);
}

void write_rope(const Rope& rope, json& config) {
    config["rope_theta"] = rope.theta;
    if (rope.type == RopeType::Default) return;
    json scaling = {{"rope_type", to_string(rope.type)}, {"factor", rope.factor}};
    if (rope.original_max_position_embeddings) scaling["original_max_position_embeddings"] = rope.original_max_position_embeddings;
    switch (rope.type) {
        case RopeType::Default:
        case RopeType::Linear:
        case RopeType::Dynamic: break;
        case RopeType::Llama3:
            scaling["low_freq_factor"] = rope.low_freq_factor;
            scaling["high_freq_factor"] = rope.high_freq_factor;
            break;
        case RopeType::Yarn:
            scaling.update({{"attention_factor", rope.attention_factor}, {"beta_fast", rope.beta_fast}, {"beta_slow", rope.beta_slow}});
            if (!rope.truncate) scaling["truncate"] = false;
            break;
        case RopeType::LongRope:
            scaling.update({{"attention_factor", rope.attention_factor}, {"short_factor", rope.short_factor}, {"long_factor", rope.long_factor}});
            break;
    }
    config["rope_scaling"] = scaling;
}

}  // namespace amalgam
