#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <ATen/ATen.h>

#include "core/model/layers.h"
#include "core/model/lora.h"
#include "core/model_io/model_config.h"
#include "core/model/precision.h"
#include "core/model/scalar_head.h"

namespace amalgam {

struct Decoder;     // generation.cpp
class Checkpoint;  // safetensors.h

/** Keys and values of earlier positions, one pair per layer, [batch, kv_heads, positions,
 *  head_dim]. A growing cache (the default) appends by concatenation. A preallocated one
 *  (TransformerModel::preallocated_cache) holds every position from the start and is written in
 *  place, so that a decoding step allocates nothing that outlives it and a CUDA graph can
 *  replay it: tokens are appended after the `filled` ones, or, once `slot` is set, a single
 *  token is written at the position that device tensor holds, and attention then spans all
 *  `capacity()` positions, the mask hiding those not yet written. */
struct KVCache {
    std::vector<at::Tensor> keys;
    std::vector<at::Tensor> values;
    bool preallocated = false;
    std::int64_t filled = 0;  ///< preallocated: positions appended so far
    at::Tensor slot;          ///< preallocated: where a one-token step writes (int64 [1], on the model's device)
    std::int64_t length() const {
        if (preallocated) return filled;
        return keys.empty() || !keys[0].defined() ? 0 : keys[0].size(2);
    }
    std::int64_t capacity() const { return keys.empty() ? 0 : keys[0].size(2); }
    /** The width of the attention mask a forward pass of `new_tokens` takes: the cached and the
     *  new positions, or every position of a preallocated cache written at `slot`. */
    std::int64_t mask_width(std::int64_t new_tokens) const { return slot.defined() ? capacity() : length() + new_tokens; }
};

/** Where a batch's padding is: on the left (generation and scoring, so that new tokens line
 *  up at the end), or on the right (training: every real token then sees only real tokens
 *  under the causal mask alone, so attention needs no padding mask and takes the fused
 *  causal kernel where there is one). A batch without padding, and without a cache, takes
 *  that kernel too. */
enum class Padding { Left, Right };

/** A transformer loaded from a Hugging Face folder: config.json and safetensors weights,
 *  checked against the family's table of tensor names and shapes. `mask` is 1 for a token and
 *  0 for padding, over the cached positions and the new ones. */
class TransformerModel {
public:
    /** Loads config.json and the weights, converted once from the file's type to `precision`
     *  (auto: float32 on the CPU, bfloat16 on CUDA); errors name the file and the tensor. */
    static std::unique_ptr<TransformerModel> load(const std::filesystem::path& dir, at::Device device = at::kCPU,
                                                  Precision precision = Precision::Auto);

    const ModelConfig& config() const { return config_; }
    at::Device device() const { return device_; }
    /** The floating type of the base weights and activations. */
    at::ScalarType dtype() const { return dtype_; }

    /** The last hidden states [batch, tokens, hidden] of ids [batch, tokens]; a right-padded
     *  batch takes no cache, and its padding positions hold values nothing should read. */
    at::Tensor hidden_states(const at::Tensor& ids, const at::Tensor& mask, KVCache* cache = nullptr,
                             Padding padding = Padding::Left) const;
    /** Next-token logits [batch, tokens, vocab] of a causal model. */
    at::Tensor logits(const at::Tensor& ids, const at::Tensor& mask, KVCache* cache = nullptr) const;
    /** The language-model head alone: logits [..., vocab] of hidden states [..., hidden], so that
     *  a loss can take logits only where it needs them. */
    at::Tensor lm_head(const at::Tensor& hidden) const;
    /** An empty preallocated cache for `batch` rows of up to `capacity` positions, in the model's
     *  type and on its device. */
    KVCache preallocated_cache(std::int64_t batch, std::int64_t capacity) const;
    /** Mean-pooled, L2-normalised embeddings [batch, hidden] of an encoder (sentence-transformers). */
    at::Tensor sentence_embeddings(const at::Tensor& ids, const at::Tensor& mask) const;

    /** A weight by its Hugging Face name without the family prefix ("layers.0.mlp.up_proj.weight"). */
    const at::Tensor& weight(const std::string& name) const;
    /** Weights stored as the consecutive rows of one tensor, which one product reads for all of
     *  them (arch::Layers::linears): "layers.0.self_attn.qkv_proj.weight" (and ".bias" where the
     *  projections have one) for q_proj, k_proj and v_proj, "layers.0.mlp.gate_up_proj.weight" for
     *  gate_proj and up_proj, and "vocabulary.weight" for the head's rows (the embeddings where the
     *  two are tied), with zero rows after them up to a multiple of 8: cuBLAS runs a far slower
     *  kernel for logits whose rows are not 16-byte aligned (GPT-2's 50,257 entries). */
    const at::Tensor& joined(const std::string& name) const;
    std::int64_t parameter_count() const;
    /** The rotary embedding of full-attention layers, or with `sliding` of sliding-window ones
     *  (the same where the config gives them no RoPE of their own); undefined without RoPE. */
    const layers::Rotary& rotary(bool sliding = false) const { return sliding && sliding_rotary_.defined() ? sliding_rotary_ : rotary_; }

    /** Modules that are projections LoRA can adapt ("layers.0.self_attn.q_proj"), and whether
     *  each is stored as GPT-2's Conv1D ([in, out]) rather than nn.Linear ([out, in]). */
    std::map<std::string, bool> projection_modules() const;

    /** Adds a fresh adapter under `name` and makes it the active one: A from PEFT's
     *  Kaiming-uniform draw (seeded), B zero, so the model is unchanged until trained. */
    void add_lora(const LoraConfig& config, std::uint64_t seed, const std::string& name = "default");
    /** Loads a PEFT adapter folder (adapter_config.json, adapter_model.safetensors, with a
     *  score head where it has one) under `name` and makes it the active one; errors name the
     *  file and the tensor that does not fit this model. */
    void load_adapter(const std::filesystem::path& dir, const std::string& name = "default");
    /** Which of the adapters the forward pass applies, as PEFT's set_adapter: several share one
     *  copy of the base weights (PPO's policy and reward model). An empty name: none. */
    void set_active_adapter(const std::string& name);
    const std::string& active_adapter() const { return active_; }
    /** Writes the active adapter in PEFT's layout so that Python peft can load it; with a score
     *  head, as a sequence-classification adapter whose head is a module to save. */
    void save_adapter(const std::filesystem::path& dir, const std::string& base_model) const;
    /** Folds the active adapter's updates into the base weights (and back out). */
    void merge_lora();
    void unmerge_lora();
    /** Folds the active adapter into the base weights for good and drops it (and its head), so
     *  that another adapter can be trained or loaded on top, as PEFT's merge_and_unload. */
    void merge_and_unload();
    /** The active adapter, or null. */
    const LoraAdapter* adapter() const;
    LoraAdapter* adapter();

    /** The active adapter's score head (a reward model's), or null. */
    const ScalarHead* score_head() const { return adapter() && adapter()->score_head ? &*adapter()->score_head : nullptr; }
    ScalarHead* score_head() { return adapter() && adapter()->score_head ? &*adapter()->score_head : nullptr; }

    /** Writes the base weights (with any merged adapter) as model.safetensors in `dtype`, under
     *  the names the checkpoint used, so that Hugging Face loads the folder. */
    void save_weights(const std::filesystem::path& file, DType dtype) const;
    /** The floating type the checkpoint stored its weights in. */
    DType file_dtype() const { return file_dtype_; }

    /** Training mode turns LoRA dropout on. */
    void set_training(bool training) { training_ = training; }

    /** What a forward pass computes with besides the base weights, which change only in place:
     *  whether LoRA dropout is on, and the applied adapter's scaling and tensors by address,
     *  shape and type. Two passes with the same identity launch the same kernels on the same
     *  memory, so that a step recorded in one can be replayed for the other. */
    std::string forward_identity() const;

    /** The decoder generation keeps between calls (its buffers and recorded step), for the next
     *  call of the same shape to reuse; taking it leaves none, so a call that fails keeps none. */
    std::shared_ptr<Decoder> take_decoder() const;
    void keep_decoder(std::shared_ptr<Decoder> decoder) const;

private:
    TransformerModel(ModelConfig config, at::Device device, at::ScalarType dtype)
        : config_(std::move(config)), device_(device), dtype_(dtype) {}
    void fold_lora(double sign);
    /** A decoder checkpoint's tensor that its config does not describe (a q_norm under a llama
     *  model_type) means the config is wrong: refused rather than ignored. */
    void refuse_unknown_tensors(const Checkpoint& checkpoint) const;
    /** Whether a stored tensor belongs to the model read: all of them, but for a multimodal
     *  checkpoint only its text model's (the vision tower is left as it is). */
    bool in_text_model(const std::string& stored_name) const;
    /** Joins the projections one product can compute together (see joined()); after loading. */
    void join_projections();
    /** The module whose rows are the vocabulary's: "lm_head", or the embeddings it is tied to. */
    std::string head_name() const;
    /** Stores the weights `names` as row ranges of one tensor under `joined` (see joined()), with
     *  zero rows up to a multiple of `row_multiple`; each weight becomes a view of its rows. */
    void join_rows(const std::string& joined, const std::vector<std::string>& names, std::int64_t row_multiple = 1);
    /** The adapter a forward pass adds: the active one unless it is merged. */
    const LoraAdapter* applied_adapter() const { return adapter() && !adapter()->merged ? adapter() : nullptr; }
    ModelConfig config_;
    at::Device device_;
    at::ScalarType dtype_;
    std::unordered_map<std::string, at::Tensor> weights_;  ///< some are views of joined_ tensors: changed in place only
    std::unordered_map<std::string, at::Tensor> joined_;
    layers::Rotary rotary_, sliding_rotary_;
    std::unordered_map<std::string, std::string> stored_names_;  // weight -> its name in the checkpoint
    DType file_dtype_ = DType::F32;
    std::map<std::string, LoraAdapter> adapters_;
    std::string active_;  ///< the adapter in use, or empty
    bool training_ = false;
    mutable std::mutex decoder_mutex_;
    mutable std::shared_ptr<Decoder> kept_decoder_;  ///< last: released first, before the weights it reads
};

/** An adapter made the active one for a scope, the previous one restored after it; the empty
 *  name makes the model its own reference. */
class ScopedAdapter {
public:
    ScopedAdapter(TransformerModel& model, const std::string& name) : model_(model), previous_(model.active_adapter()) {
        model_.set_active_adapter(name);
    }
    ~ScopedAdapter() { model_.set_active_adapter(previous_); }
    ScopedAdapter(const ScopedAdapter&) = delete;
    ScopedAdapter& operator=(const ScopedAdapter&) = delete;

private:
    TransformerModel& model_;
    std::string previous_;
};

}  // namespace amalgam
