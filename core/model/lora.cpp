#include "core/model/lora.h"

#include "core/model/arch_table.h"

namespace amalgam {

std::vector<std::string> default_lora_targets(ModelFamily family) {
    switch (family) {
        case ModelFamily::Llama: return {"q_proj", "v_proj"};
        case ModelFamily::Gpt2: return {"c_attn"};
        case ModelFamily::Bert: return {"query", "value"};
    }
    return {};
}

std::string peft_key(ModelFamily family, const std::string& module, char which) {
    return "base_model.model." + name_prefixes(family).front() + module + ".lora_" + std::string(1, which) + ".weight";
}

}  // namespace amalgam
