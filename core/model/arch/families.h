#pragma once

#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "core/model/lora.h"
#include "core/model_io/model_config.h"
#include "core/model/layers.h"
#include "core/model/transformer.h"

// One forward function per model family; TransformerModel picks one by config.
namespace amalgam::arch {

/** What a forward pass reads: weights by name (without the family prefix) and projections
 *  by module name, with the model's LoRA update added where an adapter has one. */
class Layers {
public:
    Layers(const TransformerModel& model, const LoraAdapter* adapter, bool training)
        : model_(model), adapter_(adapter), training_(training) {}

    const at::Tensor& operator()(const std::string& name) const { return model_.weight(name); }
    /** The rotary embedding of full-attention layers, or of sliding ones where they have their own. */
    const layers::Rotary& rotary(bool sliding) const { return model_.rotary(sliding); }
    /// nn.Linear: x W^T (+ b) for module "layers.0.self_attn.q_proj".
    at::Tensor linear(const at::Tensor& x, const std::string& module, bool bias) const;
    /// Several nn.Linear modules whose weights are the rows of TransformerModel::joined(`joined`
    /// + ".weight") in this order, by one product: their outputs side by side in the last
    /// dimension (then zeros for the joined tensor's zero rows), each with its LoRA update.
    at::Tensor linears(const at::Tensor& x, const std::string& joined, const std::vector<std::string>& modules, bool bias) const;
    /// GPT-2's Conv1D: x W + b, W stored [in, out].
    at::Tensor conv1d(const at::Tensor& x, const std::string& module) const;

private:
    /// The active adapter's update of `module` for input x, in `type`; undefined where it has none.
    at::Tensor lora_update(const at::Tensor& x, const std::string& module, at::ScalarType type) const;
    at::Tensor with_lora(const at::Tensor& y, const at::Tensor& x, const std::string& module) const;
    const TransformerModel& model_;
    const LoraAdapter* adapter_;
    bool training_;
};

/** `causal_only`: no key needs hiding beyond the causal mask (a right-padded or unpadded batch,
 *  no cache). */
at::Tensor decoder_hidden(const Layers& w, const ModelConfig& c, const at::Tensor& ids, const at::Tensor& mask, KVCache* cache,
                        bool causal_only);
at::Tensor gpt2_hidden(const Layers& w, const ModelConfig& c, const at::Tensor& ids, const at::Tensor& mask, KVCache* cache,
                       bool causal_only);
at::Tensor bert_hidden(const Layers& w, const ModelConfig& c, const at::Tensor& ids, const at::Tensor& mask);

/** With a cache: puts the new keys and values after the cached ones (and returns them all in
 *  k and v). Without one: leaves k and v as they are. */
void append_to_cache(KVCache* cache, std::int64_t layer, at::Tensor& k, at::Tensor& v);

}  // namespace amalgam::arch
