#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/model_io/model_config.h"

namespace amalgam {

/** The RoPE settings of a Llama-family config.json, in either layout: transformers 4's
 *  "rope_theta" + "rope_scaling", or transformers 5's "rope_parameters" (which carries its own
 *  "rope_theta"). Where both are given they must agree. Unsupported variants, missing fields
 *  and disagreements throw std::runtime_error naming `source` and the key. */
Rope read_rope(const nlohmann::json& config, std::int64_t max_positions, const std::string& source);

/** The transformers 4 layout of `rope` ("rope_theta", and "rope_scaling" unless plain), which
 *  transformers 5 reads too. */
void write_rope(const Rope& rope, nlohmann::json& config);

}  // namespace amalgam
