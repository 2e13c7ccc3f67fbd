#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace amalgam {

/** One reward of a GRPO or RLOO run, as `rewards:` spells it: a reward model's adapter (with its
 *  score head), or a rule on the completion that needs no code. Each gives a number per
 *  completion; the run's reward is their sum, each times its weight. */
struct RewardSpec {
    enum class Kind { Model, Contains, Regex, MatchField, Length, Banned };
    Kind kind = Kind::Contains;
    std::string name;                ///< for the metrics (rewards/NAME/mean): the kind, numbered where it repeats
    std::string text;                ///< the adapter folder, the text, the pattern or the field
    std::vector<std::string> words;  ///< banned
    std::int64_t low = 0, high = 0;  ///< length: the band of token counts, both ends included
    double weight = 1.0;
    std::optional<std::regex> pattern;  ///< regex, compiled once
};

/** The rewards of a `rewards:` list, checked: a malformed entry or pattern is a ConfigError
 *  naming its key (rewards[2].regex). Relative adapter folders are taken from `base_dir`. */
std::vector<RewardSpec> read_reward_specs(const nlohmann::json& list, const std::string& key, const std::string& base_dir);
/** The list as run.json records it. */
nlohmann::json reward_specs_json(const std::vector<RewardSpec>& specs);

/** A rule's value for one completion: contains 1 or 0; regex 1 where the pattern is found; match_field 1
 *  where the completion equals the row's field, both trimmed; length 1 where its token count
 *  is in the band; banned -1 where it holds any of the words, else 0. */
double rule_reward(const RewardSpec& spec, const std::string& completion, std::int64_t tokens, const nlohmann::json& row);

}  // namespace amalgam
