#include "core/model/transformer.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <set>
#include <stdexcept>

#include "core/model/arch/families.h"
#include "core/model_io/arch_table.h"
#include "core/model/layers.h"
#include "core/model_io/safetensors.h"
#include "core/model/tensor_convert.h"

namespace amalgam {

namespace arch {

void append_to_cache(KVCache* cache, std::int64_t layer, at::Tensor& k, at::Tensor& v) {
    if (!cache) return;
    if (cache->keys.size() <= static_cast<std::size_t>(layer)) {
        cache->keys.resize(layer + 1);
        cache->values.resize(layer + 1);
    }
    at::Tensor& keys = cache->keys[layer];
    at::Tensor& values = cache->values[layer];
    if (!cache->preallocated) {
        keys = keys.defined() ? at::cat({keys, k}, 2) : k;
        values = values.defined() ? at::cat({values, v}, 2) : v;
    } else if (cache->slot.defined()) {
        keys.index_copy_(2, cache->slot, k);
        values.index_copy_(2, cache->slot, v);
    } else {
        const std::int64_t end = cache->filled + k.size(2);
        keys.slice(2, cache->filled, end).copy_(k);
        values.slice(2, cache->filled, end).copy_(v);
        k = keys.slice(2, 0, end);
        v = values.slice(2, 0, end);
        return;
    }
    k = keys;
    v = values;
}

at::Tensor Layers::lora_update(const at::Tensor& x, const std::string& module, at::ScalarType type) const {
    if (!adapter_) return {};  // the Layers' own adapter pointer: the model's active one, or none
    auto it = adapter_->modules.find(module);
    if (it == adapter_->modules.end()) return {};
    // In the adapter's own type (float32 adapters on a bfloat16 model, as PEFT does), added in the model's.
    at::Tensor in = x.to(it->second.a.scalar_type());
    if (training_ && adapter_->config.dropout > 0) in = at::dropout(in, adapter_->config.dropout, true);
    return (adapter_->config.scaling() * at::linear(at::linear(in, it->second.a), it->second.b)).to(type);
}

at::Tensor Layers::with_lora(const at::Tensor& y, const at::Tensor& x, const std::string& module) const {
    const at::Tensor update = lora_update(x, module, y.scalar_type());
    return update.defined() ? y + update : y;
}

at::Tensor Layers::linears(const at::Tensor& x, const std::string& joined, const std::vector<std::string>& modules, bool bias) const {
    at::Tensor y = at::linear(x, model_.joined(joined + ".weight"), bias ? model_.joined(joined + ".bias") : at::Tensor());
    std::int64_t start = 0;
    for (const std::string& module : modules) {
        const std::int64_t width = model_.weight(module + ".weight").size(0);
        // In place, so that the outputs stay side by side in one tensor.
        if (const at::Tensor update = lora_update(x, module, y.scalar_type()); update.defined()) y.narrow(-1, start, width).add_(update);
        start += width;
    }
    return y;
}

at::Tensor Layers::linear(const at::Tensor& x, const std::string& module, bool bias) const {
    return with_lora(at::linear(x, model_.weight(module + ".weight"), bias ? model_.weight(module + ".bias") : at::Tensor()), x, module);
}

at::Tensor Layers::conv1d(const at::Tensor& x, const std::string& module) const {
    return with_lora(at::matmul(x, model_.weight(module + ".weight")) + model_.weight(module + ".bias"), x, module);
}

}  // namespace arch

namespace {

/** The layer a stored tensor belongs to ("model.layers.7.mlp..." is 7; "h.3." and "layer.3." too). */
std::optional<std::int64_t> layer_index(const std::string& name) {
    for (const char* block : {"layers.", "h.", "layer."}) {
        for (std::size_t at = name.find(block); at != std::string::npos; at = name.find(block, at + 1)) {
            if (at > 0 && name[at - 1] != '.') continue;
            std::size_t digits = at + std::strlen(block), end = digits;
            while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
            if (end > digits && end < name.size() && name[end] == '.' && end - digits < 10) return std::stoll(name.substr(digits, end - digits));
        }
    }
    return std::nullopt;
}

}  // namespace

std::unique_ptr<TransformerModel> TransformerModel::load(const std::filesystem::path& dir, at::Device device, Precision precision) {
    const at::ScalarType dtype = resolve_precision(precision, device);
    std::unique_ptr<TransformerModel> model(new TransformerModel(ModelConfig::load(dir / "config.json"), device, dtype));
    Checkpoint checkpoint(dir);
    std::vector<std::string> prefixes = name_prefixes(model->config_);
    prefixes.push_back("");
    for (const TensorSpec& spec : tensor_specs(model->config_)) {
        std::string stored;
        for (const auto& prefix : prefixes)
            if (checkpoint.contains(prefix + spec.name)) {
                stored = prefix + spec.name;
                break;
            }
        if (stored.empty()) {
            if (spec.optional) continue;
            checkpoint.get(name_prefixes(model->config_).front() + spec.name);  // throws, naming tensor and file
        }
        const TensorView& view = checkpoint.require(stored, spec.shape);
        if (model->weights_.empty()) model->file_dtype_ = view.dtype;
        model->weights_[spec.name] = tensor_from_view(view, dtype).to(device);
        model->stored_names_[spec.name] = stored;
    }
    // Layers the config does not count mean the config and the weights disagree: refuse rather than drop them.
    for (const std::string& name : checkpoint.names())
        if (auto layer = layer_index(name); layer && *layer >= model->config_.num_layers && model->in_text_model(name))
            throw std::runtime_error(checkpoint.get(name).file + ": tensor '" + name + "' is for layer " + std::to_string(*layer) +
                                     ", but config.json gives " + std::to_string(model->config_.num_layers) + " layers");
    model->refuse_unknown_tensors(checkpoint);
    model->join_projections();
    const ModelConfig& c = model->config_;
    if (c.family == ModelFamily::Llama) {
        const auto options = at::TensorOptions().device(device);
        model->rotary_ = layers::Rotary(c.rope, c.rotary_dim(), c.max_positions, options);
        if (c.decoder.sliding_rope) model->sliding_rotary_ = layers::Rotary(*c.decoder.sliding_rope, c.rotary_dim(), c.max_positions, options);
    }
    return model;
}

void TransformerModel::refuse_unknown_tensors(const Checkpoint& checkpoint) const {
    if (config_.family != ModelFamily::Llama) return;  // GPT-2 checkpoints keep their mask buffers, which are not weights
    std::set<std::string> known;
    for (const auto& [name, stored] : stored_names_) known.insert(stored);
    std::vector<std::string> names = checkpoint.names();
    std::sort(names.begin(), names.end());  // the same tensor named on every run
    for (const std::string& name : names) {
        // Older checkpoints keep the rotary frequencies, which are made from the config instead.
        const std::string buffer = "rotary_emb.inv_freq";
        if (known.count(name) || !in_text_model(name) || (name.size() >= buffer.size() && name.compare(name.size() - buffer.size(), buffer.size(), buffer) == 0)) continue;
        if (name == "lm_head.weight" && config_.tie_word_embeddings)
            throw std::runtime_error(checkpoint.get(name).file + ": tensor 'lm_head.weight' is stored, but config.json ties the head to the "
                                     "embeddings (tie_word_embeddings true)");
        throw std::runtime_error(checkpoint.get(name).file + ": tensor '" + name + "' is not a weight of " + config_.architecture + " as config.json (model_type " +
                                 to_string(config_.type) + ") describes it");
    }
}

bool TransformerModel::in_text_model(const std::string& name) const {
    if (!config_.text_of_multimodal) return true;
    for (const std::string& prefix : name_prefixes(config_))
        if (name.compare(0, prefix.size(), prefix) == 0) return true;
    return name == "lm_head.weight";
}

void TransformerModel::join_projections() {
    if (config_.family == ModelFamily::Llama)
        for (std::int64_t i = 0; i < config_.num_layers; ++i) {
            const std::string p = "layers." + std::to_string(i) + ".";
            if (config_.decoder.fused_projections) {  // stored joined already (Phi-3)
                join_rows(p + "self_attn.qkv_proj.weight", {p + "self_attn.qkv_proj.weight"});
                join_rows(p + "mlp.gate_up_proj.weight", {p + "mlp.gate_up_proj.weight"});
                continue;
            }
            for (const char* part : {".weight", ".bias"}) {
                std::vector<std::string> qkv;
                for (const char* m : {"q_proj", "k_proj", "v_proj"})
                    if (weights_.count(p + "self_attn." + m + part)) qkv.push_back(p + "self_attn." + m + part);
                if (qkv.size() == 3) join_rows(p + "self_attn.qkv_proj" + part, qkv);
            }
            join_rows(p + "mlp.gate_up_proj.weight", {p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"});
        }
    if (config_.is_causal()) join_rows("vocabulary.weight", {head_name() + ".weight"}, 8);
}

std::string TransformerModel::head_name() const {
    if (weights_.count("lm_head.weight")) return "lm_head";
    return config_.family == ModelFamily::Gpt2 ? "wte" : "embed_tokens";  // tied to the embeddings
}

void TransformerModel::join_rows(const std::string& joined, const std::vector<std::string>& names, std::int64_t row_multiple) {
    std::vector<at::Tensor> parts;
    std::int64_t rows = 0;
    for (const std::string& name : names) {
        parts.push_back(weights_.at(name));
        rows += parts.back().size(0);
    }
    if (const std::int64_t padding = (rows + row_multiple - 1) / row_multiple * row_multiple - rows; padding > 0) {
        std::vector<std::int64_t> shape = parts.front().sizes().vec();
        shape[0] = padding;
        parts.push_back(at::zeros(shape, parts.front().options()));
    }
    const at::Tensor all = parts.size() == 1 ? parts.front() : at::cat(parts);
    std::int64_t at = 0;
    for (const std::string& name : names) {
        at::Tensor& w = weights_.at(name);
        const std::int64_t n = w.size(0);
        w = all.narrow(0, at, n);
        at += n;
    }
    joined_[joined] = all;
}

const at::Tensor& TransformerModel::joined(const std::string& name) const {
    auto it = joined_.find(name);
    if (it == joined_.end()) throw std::out_of_range("the model has no joined weight '" + name + "'");
    return it->second;
}

const at::Tensor& TransformerModel::weight(const std::string& name) const {
    auto it = weights_.find(name);
    if (it == weights_.end()) throw std::out_of_range("the model has no weight '" + name + "'");
    return it->second;
}

std::int64_t TransformerModel::parameter_count() const {
    std::int64_t n = 0;
    for (const auto& [name, w] : weights_) n += w.numel();
    return n;
}

at::Tensor TransformerModel::hidden_states(const at::Tensor& ids, const at::Tensor& mask, KVCache* cache, Padding padding) const {
    arch::Layers w(*this, applied_adapter(), training_);
    if (mask.size(1) != (cache ? cache->mask_width(ids.size(1)) : ids.size(1)))
        throw std::invalid_argument("the attention mask must cover the cached and the new tokens");
    if (cache && cache->preallocated && (cache->slot.defined() ? ids.size(1) != 1 : cache->filled + ids.size(1) > cache->capacity()))
        throw std::invalid_argument("a preallocated cache takes one token at its slot, or no more tokens than it has room for");
    if (mask.size(1) > config_.context_length() && config_.max_positions > 0)
        throw std::invalid_argument("a text of " + std::to_string(mask.size(1)) + " tokens is longer than the model's context of " +
                                    std::to_string(config_.context_length()) + " positions");
    if (padding == Padding::Right && cache) throw std::invalid_argument("a right-padded batch takes no cache");
    // A batch without padding and without a cache needs no more than the causal mask either: the
    // fused causal kernel then runs (flash attention on CUDA, taking grouped keys and values as
    // they are), where a bias would take the memory-efficient kernel with repeated ones.
    const bool causal_only = padding == Padding::Right || (config_.is_causal() && !cache && mask.all().item<bool>());
    at::Tensor hidden;
    switch (config_.family) {
        case ModelFamily::Llama: hidden = arch::decoder_hidden(w, config_, ids, mask, cache, causal_only); break;
        case ModelFamily::Gpt2: hidden = arch::gpt2_hidden(w, config_, ids, mask, cache, causal_only); break;
        case ModelFamily::Bert:
            if (cache) throw std::invalid_argument("an encoder takes no cache");
            return arch::bert_hidden(w, config_, ids, mask);
    }
    if (!hidden.defined()) throw std::logic_error("unknown family");
    if (cache && cache->preallocated && !cache->slot.defined()) cache->filled += ids.size(1);
    return hidden;
}

std::shared_ptr<Decoder> TransformerModel::take_decoder() const {
    const std::lock_guard<std::mutex> lock(decoder_mutex_);
    return std::move(kept_decoder_);
}

void TransformerModel::keep_decoder(std::shared_ptr<Decoder> decoder) const {
    const std::lock_guard<std::mutex> lock(decoder_mutex_);
    kept_decoder_ = std::move(decoder);
}

KVCache TransformerModel::preallocated_cache(std::int64_t batch, std::int64_t capacity) const {
    if (!config_.is_causal()) throw std::invalid_argument("an encoder takes no cache");
    KVCache cache;
    cache.preallocated = true;
    const auto options = at::TensorOptions().dtype(dtype_).device(device_);
    for (std::int64_t i = 0; i < config_.num_layers; ++i) {
        cache.keys.push_back(at::zeros({batch, config_.num_kv_heads, capacity, config_.head_dim()}, options));
        cache.values.push_back(at::zeros({batch, config_.num_kv_heads, capacity, config_.head_dim()}, options));
    }
    return cache;
}

at::Tensor TransformerModel::logits(const at::Tensor& ids, const at::Tensor& mask, KVCache* cache) const {
    if (!config_.is_causal()) throw std::invalid_argument("logits need a causal language model, not " + config_.architecture);
    return lm_head(hidden_states(ids, mask, cache));
}

at::Tensor TransformerModel::lm_head(const at::Tensor& hidden) const {
    // An untied head is a projection like any other, which an adapter may target ("lm_head").
    const std::string head = head_name();
    const at::Tensor logits = arch::Layers(*this, applied_adapter(), training_)
                                  .linears(hidden, "vocabulary", {head}, false)
                                  .narrow(-1, 0, weight(head + ".weight").size(0));
    const double cap = config_.decoder.final_logit_softcapping;
    return cap > 0 ? at::tanh(logits / cap) * cap : logits;  // Gemma 2 caps its logits
}

void TransformerModel::save_weights(const std::filesystem::path& file, DType dtype) const {
    std::vector<TensorData> tensors;
    for (const auto& [name, w] : weights_) tensors.push_back(tensor_data(stored_names_.at(name), w, dtype));
    std::sort(tensors.begin(), tensors.end(), [](const TensorData& a, const TensorData& b) { return a.name < b.name; });
    write_safetensors(file, tensors, {{"format", "pt"}});
}

at::Tensor TransformerModel::sentence_embeddings(const at::Tensor& ids, const at::Tensor& mask) const {
    at::Tensor h = hidden_states(ids, mask).to(at::kFloat);
    at::Tensor m = mask.to(at::kFloat).unsqueeze(-1);
    at::Tensor pooled = (h * m).sum(1) / m.sum(1).clamp_min(1e-9);
    return pooled / pooled.norm(2, -1, true).clamp_min(1e-12);
}

}  // namespace amalgam
