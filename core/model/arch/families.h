#pragma once

#include <functional>
#include <string>

#include <ATen/ATen.h>

#include "core/model/model_config.h"
#include "core/model/transformer.h"

// One forward function per model family; TransformerModel picks one by config.
namespace amalgam::arch {

/** A weight by its name without the family prefix. */
using WeightLookup = std::function<const at::Tensor&(const std::string&)>;

at::Tensor llama_hidden(const WeightLookup& w, const ModelConfig& c, const at::Tensor& ids, const at::Tensor& mask, KVCache* cache);
at::Tensor gpt2_hidden(const WeightLookup& w, const ModelConfig& c, const at::Tensor& ids, const at::Tensor& mask, KVCache* cache);
at::Tensor bert_hidden(const WeightLookup& w, const ModelConfig& c, const at::Tensor& ids, const at::Tensor& mask);

/** With a cache: puts the new keys and values after the cached ones (and returns them all in
 *  k and v). Without one: leaves k and v as they are. */
void append_to_cache(KVCache* cache, std::int64_t layer, at::Tensor& k, at::Tensor& v);

}  // namespace amalgam::arch
