#include "core/model/lora.h"

#include "core/model_io/arch_table.h"

namespace amalgam {

std::vector<std::string> default_lora_targets(const ModelConfig& config) {
    switch (config.family) {
        case ModelFamily::Llama:  // PEFT's defaults: Phi-3's q, k and v are one module
            if (config.decoder.fused_projections) return {"qkv_proj"};
            return {"q_proj", "v_proj"};
        case ModelFamily::Gpt2: return {"c_attn"};
        case ModelFamily::Bert: return {"query", "value"};
    }
    return {};
}

std::string peft_key(const ModelConfig& config, const std::string& module, char which) {
    // The language-model head sits beside the backbone, not in it: "base_model.model.lm_head".
    const std::string prefix = module == "lm_head" ? "" : name_prefixes(config).front();
    return "base_model.model." + prefix + module + ".lora_" + std::string(1, which) + ".weight";
}

}  // namespace amalgam
