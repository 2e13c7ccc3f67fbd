#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model_io/model_config.h"

namespace amalgam {

/** One weight a model family needs: its Hugging Face name (without the family's optional
 *  prefix such as "model." or "bert.") and its shape for a given config. */
struct TensorSpec {
    std::string name;
    std::vector<std::int64_t> shape;
    bool optional = false;  ///< may be absent (a tied output head)
};

/** Every weight of a model, expanded over its layers, in checkpoint order. */
std::vector<TensorSpec> tensor_specs(const ModelConfig& config);

/** Prefixes checkpoints of a model put before the names above, tried in order; the first is
 *  the one Amalgam writes (and PEFT's keys follow). */
std::vector<std::string> name_prefixes(const ModelConfig& config);

}  // namespace amalgam
