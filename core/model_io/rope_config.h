#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/model_io/model_config.h"

namespace amalgam {

/** The RoPE settings of a Llama-family config.json, in either layout: transformers 4's
 *  "rope_theta" + "rope_scaling", or transformers 5's "rope_parameters" (which carries its own
 *  "rope_theta"), where a model whose layer types differ in RoPE keeps one dict per layer type
 *  ("full_attention", "sliding_attention"): `layer_type` picks one. Where both layouts are given
 *  they must agree. Unsupported variants, missing fields and disagreements throw
 *  std::runtime_error naming `source` and the key. */
Rope read_rope(const nlohmann::json& config, std::int64_t max_positions, const std::string& source,
               const std::string& layer_type = "full_attention");

/** Whether rope_parameters holds one dict per layer type (transformers 5's Gemma 3). */
bool has_rope_per_layer_type(const nlohmann::json& config);

/** The share of each head the rotary embedding turns: "partial_rotary_factor" at the top (transformers
 *  4) or in rope_parameters (5), 1 where neither gives it; it must be in (0, 1]. */
double read_partial_rotary_factor(const nlohmann::json& config, const std::string& source);

/** The transformers 4 layout of `rope` ("rope_theta", and "rope_scaling" unless plain), which
 *  transformers 5 reads too. */
void write_rope(const Rope& rope, nlohmann::json& config);

}  // namespace amalgam
