#include "core/model_io/rope_config.h"

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

/** Only rotary over the whole head is supported: a partial_rotary_factor other than 1 is refused. */
void refuse_partial_rotary(const json& object, const std::string& where, const std::string& source) {
    if (auto partial = optional_number(object, "partial_rotary_factor", where, source); partial && *partial != 1.0)
        fail(source, where + ".partial_rotary_factor " + std::to_string(*partial) + " is not supported (only rotary over the whole head)");
}

/** One RoPE dict ("rope_scaling" or "rope_parameters", named by `where`); `theta` is the base
 *  when the dict has no "rope_theta" of its own. */
Rope read_dict(const json& dict, const std::string& where, double theta, std::int64_t max_positions, const std::string& source) {
    const std::string type_key = dict.contains("rope_type") ? "rope_type" : "type";
    const std::string type = dict.contains(type_key) && dict[type_key].is_string() ? dict[type_key].get<std::string>() : "default";
    Rope r;
    r.theta = optional_number(dict, "rope_theta", where, source).value_or(theta);
    refuse_partial_rotary(dict, where, source);
    const std::optional<RopeType> rope_type = rope_type_names.find(type);
    if (!rope_type) fail(source, where + "." + type_key + " '" + type + "' is not supported (supported: " + rope_type_names.choices() + ")");
    r.type = *rope_type;
    if (r.type == RopeType::Default) return r;
    r.factor = number(dict, "factor", where, source);
    if (r.type == RopeType::Llama3) {
        r.low_freq_factor = number(dict, "low_freq_factor", where, source);
        r.high_freq_factor = number(dict, "high_freq_factor", where, source);
        // transformers 5 falls back to max_position_embeddings, as here.
        r.original_max_position_embeddings = static_cast<std::int64_t>(
            optional_number(dict, "original_max_position_embeddings", where, source).value_or(static_cast<double>(max_positions)));
        if (r.high_freq_factor <= r.low_freq_factor)
            fail(source, where + ": high_freq_factor must be greater than low_freq_factor");
    }
    if (r.factor <= 0) fail(source, where + ".factor must be positive");
    return r;
}

std::string describe(const Rope& r) {
    std::string s = std::string(to_string(r.type)) + ", theta " + std::to_string(r.theta);
    if (r.type != RopeType::Default) s += ", factor " + std::to_string(r.factor);
    if (r.type == RopeType::Llama3)
        s += ", low_freq_factor " + std::to_string(r.low_freq_factor) + ", high_freq_factor " + std::to_string(r.high_freq_factor) +
             ", original_max_position_embeddings " + std::to_string(r.original_max_position_embeddings);
    return s;
}

const json* present_object(const json& config, const char* key, const std::string& source) {
    auto it = config.find(key);
    if (it == config.end() || it->is_null()) return nullptr;
    if (!it->is_object()) fail(source, std::string(key) + " must be an object or null");
    return &*it;
}

}  // namespace

Rope read_rope(const json& config, std::int64_t max_positions, const std::string& source) {
    const std::optional<double> top_theta = optional_number(config, "rope_theta", "config", source);
    refuse_partial_rotary(config, "config", source);
    const json* scaling = present_object(config, "rope_scaling", source);
    const json* parameters = present_object(config, "rope_parameters", source);

    const double theta = top_theta.value_or(10000.0);
    Rope old_layout;
    old_layout.theta = theta;
    if (scaling) old_layout = read_dict(*scaling, "rope_scaling", theta, max_positions, source);
    if (!parameters) return old_layout;

    Rope new_layout = read_dict(*parameters, "rope_parameters", theta, max_positions, source);
    if (top_theta && new_layout.theta != *top_theta)
        fail(source, "rope_theta " + std::to_string(*top_theta) + " and rope_parameters.rope_theta " + std::to_string(new_layout.theta) +
                         " disagree");
    if (scaling && old_layout != new_layout)
        fail(source, "rope_scaling (" + describe(old_layout) + ") and rope_parameters (" + describe(new_layout) + ") disagree");
    return new_layout;
}

void write_rope(const Rope& rope, json& config) {
    config["rope_theta"] = rope.theta;
    if (rope.type == RopeType::Default) return;
    json scaling = {{"rope_type", to_string(rope.type)}, {"factor", rope.factor}};
    if (rope.type == RopeType::Llama3) {
        scaling["low_freq_factor"] = rope.low_freq_factor;
        scaling["high_freq_factor"] = rope.high_freq_factor;
        scaling["original_max_position_embeddings"] = rope.original_max_position_embeddings;
    }
    config["rope_scaling"] = scaling;
}

}  // namespace amalgam
