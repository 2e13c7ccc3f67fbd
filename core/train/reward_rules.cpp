#include "core/train/reward_rules.h"

#include <filesystem>
#include <map>

#include "core/train/train_config.h"

namespace amalgam {
namespace {

using json = nlohmann::json;

std::string trimmed(const std::string& s) {
    const auto begin = s.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) return "";
    return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

const std::map<std::string, RewardSpec::Kind> kKinds = {{"model", RewardSpec::Kind::Model},   {"contains", RewardSpec::Kind::Contains},
                                                        {"regex", RewardSpec::Kind::Regex},   {"match_field", RewardSpec::Kind::MatchField},
                                                        {"length", RewardSpec::Kind::Length}, {"banned", RewardSpec::Kind::Banned}};

}  // namespace

std::vector<RewardSpec> read_reward_specs(const json& list, const std::string& key, const std::string& base_dir) {
    if (!list.is_array() || list.empty()) throw ConfigError(key, "must be a list of rewards ({model: ...}, {contains: ...}, {regex: ...}, ...)");
    std::vector<RewardSpec> specs;
    std::map<std::string, int> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const json& entry = list[i];
        const std::string at = key + "[" + std::to_string(i) + "]";
        if (!entry.is_object()) throw ConfigError(at, "must be a mapping such as {contains: \"text\", weight: 1.0}");
        RewardSpec spec;
        std::string kind;
        for (const auto& [name, value] : entry.items()) {
            if (name == "weight") {
                if (!value.is_number()) throw ConfigError(at + ".weight", "must be a number");
                spec.weight = value.get<double>();
            } else if (kKinds.count(name)) {
                if (!kind.empty()) throw ConfigError(at, "names two rewards (" + kind + " and " + name + "): one per entry");
                kind = name;
            } else {
                throw ConfigError(at + "." + name, "unknown key (a reward is one of model, contains, regex, match_field, length, banned, with a weight)");
            }
        }
        if (kind.empty()) throw ConfigError(at, "names no reward (model, contains, regex, match_field, length or banned)");
        spec.kind = kKinds.at(kind);
        const json& value = entry.at(kind);
        const std::string where = at + "." + kind;
        switch (spec.kind) {
            case RewardSpec::Kind::Length:
                if (!value.is_array() || value.size() != 2 || !value[0].is_number_integer() || !value[1].is_number_integer() ||
                    value[0].get<std::int64_t>() < 0 || value[1].get<std::int64_t>() < value[0].get<std::int64_t>())
                    throw ConfigError(where, "must be [low, high], whole numbers with 0 <= low <= high");
                spec.low = value[0].get<std::int64_t>();
                spec.high = value[1].get<std::int64_t>();
                break;
            case RewardSpec::Kind::Banned:
                if (!value.is_array() || value.empty()) throw ConfigError(where, "must be a list of texts");
                for (const json& word : value) {
                    if (!word.is_string() || word.get<std::string>().empty()) throw ConfigError(where, "must be a list of texts");
                    spec.words.push_back(word.get<std::string>());
                }
                break;
            default:
                if (!value.is_string() || value.get<std::string>().empty()) throw ConfigError(where, "must be a text");
                spec.text = value.get<std::string>();
                break;
        }
        if (spec.kind == RewardSpec::Kind::Model) spec.text = (std::filesystem::path(base_dir) / spec.text).lexically_normal().string();
        if (spec.kind == RewardSpec::Kind::Regex) {
            try {
                spec.pattern.emplace(spec.text, std::regex::ECMAScript);
            } catch (const std::regex_error& e) {
                throw ConfigError(where, "is not a valid regular expression: " + std::string(e.what()));
            }
        }
        const int count = ++seen[kind];
        spec.name = count == 1 ? kind : kind + "_" + std::to_string(count);
        specs.push_back(std::move(spec));
    }
    return specs;
}

json reward_specs_json(const std::vector<RewardSpec>& specs) {
    json list = json::array();
    for (const RewardSpec& s : specs) {
        std::string kind;
        for (const auto& [name, k] : kKinds)
            if (k == s.kind) kind = name;
        json entry;
        if (s.kind == RewardSpec::Kind::Length) entry[kind] = {s.low, s.high};
        else if (s.kind == RewardSpec::Kind::Banned) entry[kind] = s.words;
        else entry[kind] = s.text;
        entry["weight"] = s.weight;
        list.push_back(entry);
    }
    return list;
}

double rule_reward(const RewardSpec& spec, const std::string& completion, std::int64_t tokens, const json& row) {
    switch (spec.kind) {
        case RewardSpec::Kind::Contains: return completion.find(spec.text) != std::string::npos ? 1.0 : 0.0;
        case RewardSpec::Kind::Regex: return std::regex_search(completion, *spec.pattern) ? 1.0 : 0.0;
        case RewardSpec::Kind::MatchField: {
            const auto it = row.find(spec.text);
            return it != row.end() && it->is_string() && trimmed(it->get<std::string>()) == trimmed(completion) ? 1.0 : 0.0;
        }
        case RewardSpec::Kind::Length: return tokens >= spec.low && tokens <= spec.high ? 1.0 : 0.0;
        case RewardSpec::Kind::Banned:
            for (const std::string& word : spec.words)
                if (completion.find(word) != std::string::npos) return -1.0;
            return 0.0;
        case RewardSpec::Kind::Model: break;
    }
    throw std::logic_error("a reward model is no rule");
}

}  // namespace amalgam
