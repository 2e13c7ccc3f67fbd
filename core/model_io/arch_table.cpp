#include "core/model_io/arch_table.h"

namespace amalgam {
namespace {

using Shape = std::vector<std::int64_t>;

/** A row of a family's table: the name with "{}" for the layer, and its shape from the config. */
struct Row {
    const char* name;
    Shape (*shape)(const ModelConfig&);
    bool per_layer;
    bool (*present)(const ModelConfig&);  ///< nullptr: always
    bool optional;
};

bool has_qkv_bias(const ModelConfig& c) { return c.decoder.qkv_bias && !c.decoder.fused_projections; }
bool has_output_bias(const ModelConfig& c) { return c.decoder.output_bias; }
bool separate(const ModelConfig& c) { return !c.decoder.fused_projections; }
bool fused(const ModelConfig& c) { return c.decoder.fused_projections; }
bool norm_before(const ModelConfig& c) { return c.decoder.norms != NormPlacement::After; }
bool norm_around(const ModelConfig& c) { return c.decoder.norms == NormPlacement::Around; }
bool norm_after(const ModelConfig& c) { return c.decoder.norms != NormPlacement::Before; }
bool qk_norm(const ModelConfig& c) { return c.decoder.qk_norm != QkNorm::None; }
bool untied(const ModelConfig& c) { return !c.tie_word_embeddings; }

std::int64_t q_width(const ModelConfig& c) { return c.num_heads * c.head_dim(); }
std::int64_t kv_width(const ModelConfig& c) { return c.num_kv_heads * c.head_dim(); }

// LlamaForCausalLM and its relatives (HF modeling_llama.py, modeling_qwen2.py, modeling_qwen3.py,
// modeling_mistral.py, modeling_gemma2.py, modeling_gemma3.py, modeling_phi3.py, modeling_olmo2.py,
// modeling_smollm3.py): which rows a config has follows from its DecoderFeatures.
const Row kLlama[] = {
    {"embed_tokens.weight", [](const ModelConfig& c) { return Shape{c.vocab_size, c.hidden_size}; }, false, nullptr, false},
    {"layers.{}.input_layernorm.weight", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, norm_before, false},
    {"layers.{}.self_attn.q_proj.weight", [](const ModelConfig& c) { return Shape{q_width(c), c.hidden_size}; }, true, separate, false},
    {"layers.{}.self_attn.q_proj.bias", [](const ModelConfig& c) { return Shape{q_width(c)}; }, true, has_qkv_bias, false},
    {"layers.{}.self_attn.k_proj.weight", [](const ModelConfig& c) { return Shape{kv_width(c), c.hidden_size}; }, true, separate, false},
    {"layers.{}.self_attn.k_proj.bias", [](const ModelConfig& c) { return Shape{kv_width(c)}; }, true, has_qkv_bias, false},
    {"layers.{}.self_attn.v_proj.weight", [](const ModelConfig& c) { return Shape{kv_width(c), c.hidden_size}; }, true, separate, false},
    {"layers.{}.self_attn.v_proj.bias", [](const ModelConfig& c) { return Shape{kv_width(c)}; }, true, has_qkv_bias, false},
    {"layers.{}.self_attn.qkv_proj.weight", [](const ModelConfig& c) { return Shape{q_width(c) + 2 * kv_width(c), c.hidden_size}; }, true, fused, false},
    {"layers.{}.self_attn.q_norm.weight",
     [](const ModelConfig& c) { return Shape{c.decoder.qk_norm == QkNorm::Whole ? q_width(c) : c.head_dim()}; }, true, qk_norm, false},
    {"layers.{}.self_attn.k_norm.weight",
     [](const ModelConfig& c) { return Shape{c.decoder.qk_norm == QkNorm::Whole ? kv_width(c) : c.head_dim()}; }, true, qk_norm, false},
    {"layers.{}.self_attn.o_proj.weight", [](const ModelConfig& c) { return Shape{c.hidden_size, q_width(c)}; }, true, nullptr, false},
    {"layers.{}.self_attn.o_proj.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, has_output_bias, false},
    // Llama's norm before the MLP; Gemma's and OLMo 2's after attention (the same name).
    {"layers.{}.post_attention_layernorm.weight", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"layers.{}.pre_feedforward_layernorm.weight", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, norm_around, false},
    {"layers.{}.post_feedforward_layernorm.weight", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, norm_after, false},
    {"layers.{}.mlp.gate_proj.weight", [](const ModelConfig& c) { return Shape{c.intermediate_size, c.hidden_size}; }, true, separate, false},
    {"layers.{}.mlp.up_proj.weight", [](const ModelConfig& c) { return Shape{c.intermediate_size, c.hidden_size}; }, true, separate, false},
    {"layers.{}.mlp.gate_up_proj.weight", [](const ModelConfig& c) { return Shape{2 * c.intermediate_size, c.hidden_size}; }, true, fused, false},
    {"layers.{}.mlp.down_proj.weight", [](const ModelConfig& c) { return Shape{c.hidden_size, c.intermediate_size}; }, true, nullptr, false},
    {"norm.weight", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, false, nullptr, false},
    // The head sits outside "model." in HF checkpoints: the loader looks for it without prefix.
    {"lm_head.weight", [](const ModelConfig& c) { return Shape{c.vocab_size, c.hidden_size}; }, false, untied, false},
};

// GPT2LMHeadModel. Conv1D weights are stored [in, out] (HF modeling_gpt2.py).
const Row kGpt2[] = {
    {"wte.weight", [](const ModelConfig& c) { return Shape{c.vocab_size, c.hidden_size}; }, false, nullptr, false},
    {"wpe.weight", [](const ModelConfig& c) { return Shape{c.max_positions, c.hidden_size}; }, false, nullptr, false},
    {"h.{}.ln_1.weight", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"h.{}.ln_1.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"h.{}.attn.c_attn.weight", [](const ModelConfig& c) { return Shape{c.hidden_size, 3 * c.hidden_size}; }, true, nullptr, false},
    {"h.{}.attn.c_attn.bias", [](const ModelConfig& c) { return Shape{3 * c.hidden_size}; }, true, nullptr, false},
    {"h.{}.attn.c_proj.weight", [](const ModelConfig& c) { return Shape{c.hidden_size, c.hidden_size}; }, true, nullptr, false},
    {"h.{}.attn.c_proj.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"h.{}.ln_2.weight", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"h.{}.ln_2.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"h.{}.mlp.c_fc.weight", [](const ModelConfig& c) { return Shape{c.hidden_size, c.intermediate_size}; }, true, nullptr, false},
    {"h.{}.mlp.c_fc.bias", [](const ModelConfig& c) { return Shape{c.intermediate_size}; }, true, nullptr, false},
    {"h.{}.mlp.c_proj.weight", [](const ModelConfig& c) { return Shape{c.intermediate_size, c.hidden_size}; }, true, nullptr, false},
    {"h.{}.mlp.c_proj.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"ln_f.weight", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, false, nullptr, false},
    {"ln_f.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, false, nullptr, false},
    {"lm_head.weight", [](const ModelConfig& c) { return Shape{c.vocab_size, c.hidden_size}; }, false, nullptr, true},  // tied: often absent
};

// BertModel as sentence-transformers saves it (HF modeling_bert.py); the pooler is not used.
const Row kBert[] = {
    {"embeddings.word_embeddings.weight", [](const ModelConfig& c) { return Shape{c.vocab_size, c.hidden_size}; }, false, nullptr, false},
    {"embeddings.position_embeddings.weight", [](const ModelConfig& c) { return Shape{c.max_positions, c.hidden_size}; }, false, nullptr, false},
    {"embeddings.token_type_embeddings.weight", [](const ModelConfig& c) { return Shape{c.type_vocab_size, c.hidden_size}; }, false, nullptr, false},
    {"embeddings.LayerNorm.weight", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, false, nullptr, false},
    {"embeddings.LayerNorm.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, false, nullptr, false},
    {"encoder.layer.{}.attention.self.query.weight", [](const ModelConfig& c) { return Shape{c.hidden_size, c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.attention.self.query.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.attention.self.key.weight", [](const ModelConfig& c) { return Shape{c.hidden_size, c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.attention.self.key.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.attention.self.value.weight", [](const ModelConfig& c) { return Shape{c.hidden_size, c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.attention.self.value.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.attention.output.dense.weight", [](const ModelConfig& c) { return Shape{c.hidden_size, c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.attention.output.dense.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.attention.output.LayerNorm.weight", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.attention.output.LayerNorm.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.intermediate.dense.weight", [](const ModelConfig& c) { return Shape{c.intermediate_size, c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.intermediate.dense.bias", [](const ModelConfig& c) { return Shape{c.intermediate_size}; }, true, nullptr, false},
    {"encoder.layer.{}.output.dense.weight", [](const ModelConfig& c) { return Shape{c.hidden_size, c.intermediate_size}; }, true, nullptr, false},
    {"encoder.layer.{}.output.dense.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.output.LayerNorm.weight", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
    {"encoder.layer.{}.output.LayerNorm.bias", [](const ModelConfig& c) { return Shape{c.hidden_size}; }, true, nullptr, false},
};

template <std::size_t N>
std::vector<TensorSpec> expand(const Row (&rows)[N], const ModelConfig& c) {
    std::vector<TensorSpec> out;
    auto add = [&](const Row& r, const std::string& name) { out.push_back({name, r.shape(c), r.optional}); };
    for (const Row& r : rows) {
        if (r.present && !r.present(c)) continue;
        if (!r.per_layer) add(r, r.name);
    }
    for (std::int64_t layer = 0; layer < c.num_layers; ++layer)
        for (const Row& r : rows) {
            if (!r.per_layer || (r.present && !r.present(c))) continue;
            std::string name = r.name;
            name.replace(name.find("{}"), 2, std::to_string(layer));
            add(r, name);
        }
    return out;
}

}  // namespace

std::vector<TensorSpec> tensor_specs(const ModelConfig& config) {
    switch (config.family) {
        case ModelFamily::Llama: return expand(kLlama, config);
        case ModelFamily::Gpt2: return expand(kGpt2, config);
        case ModelFamily::Bert: return expand(kBert, config);
    }
    return {};
}

std::vector<std::string> name_prefixes(const ModelConfig& config) {
    switch (config.family) {
        case ModelFamily::Llama:
            // A multimodal checkpoint's text model: as transformers 5 saves it, then as the Hub's files have it.
            if (config.text_of_multimodal) return {"model.language_model.", "language_model.model."};
            return {"model.", ""};
        case ModelFamily::Gpt2: return {"transformer.", ""};
        case ModelFamily::Bert: return {"", "bert."};
    }
    return {""};
}

}  // namespace amalgam
