#pragma once

#include <nlohmann/json.hpp>

#include "core/data/record.h"

namespace amalgam {

/** Prompts as JSON, the one serialised form used by the workspace and by `inspect`. */
nlohmann::json to_json(const Prompt& prompt);
Prompt prompt_from_json(const nlohmann::json& j);

nlohmann::json to_json(const std::vector<Turn>& turns);
std::vector<Turn> turns_from_json(const nlohmann::json& j);

}  // namespace amalgam
