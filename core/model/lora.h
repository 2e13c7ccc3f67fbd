#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "core/model_io/model_config.h"
#include "core/model/scalar_head.h"

namespace amalgam {

/** LoRA settings, as PEFT's LoraConfig names them. */
struct LoraConfig {
    std::int64_t rank = 8;
    double alpha = 16;
    double dropout = 0.0;
    std::vector<std::string> target_modules;  ///< last path component ("q_proj", or "lm_head" where untied); empty: the family's default

    double scaling() const { return alpha / static_cast<double>(rank); }
};

/** The modules LoRA adapts by default, as PEFT's table: q and v projections (qkv_proj where they are
 *  one, c_attn for GPT-2, query/value for BERT). */
std::vector<std::string> default_lora_targets(const ModelConfig& config);

/** One adapted projection: W x + scaling * B (A dropout(x)), A [rank, in], B [out, rank]. */
struct LoraPair {
    at::Tensor a;
    at::Tensor b;
};

/** The low-rank adapters of a model, by module name without the family prefix
 *  ("layers.0.self_attn.q_proj"), with their settings; a reward model's adapter also carries
 *  its score head. */
struct LoraAdapter {
    LoraConfig config;
    std::map<std::string, LoraPair> modules;
    std::optional<ScalarHead> score_head;  ///< "score", as *ForSequenceClassification names it
    bool merged = false;                   ///< the updates are folded into the base weights
};

/** The PEFT key of a module's A or B matrix, e.g.
 *  "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight". */
std::string peft_key(const ModelConfig& config, const std::string& module, char which);

}  // namespace amalgam
