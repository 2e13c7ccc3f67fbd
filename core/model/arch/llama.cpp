// LlamaForCausalLM and Qwen2ForCausalLM: pre-norm (RMSNorm) blocks of rotary grouped-query
// attention and a SwiGLU MLP.
#include "core/model/arch/families.h"
#include "core/model/layers.h"

namespace amalgam::arch {

at::Tensor llama_hidden(const Layers& w, const ModelConfig& c, const at::Tensor& ids, const at::Tensor& mask, KVCache* cache,
                       bool causal_only) {
    using namespace layers;
    const std::int64_t tokens = ids.size(1);
    at::Tensor x = at::embedding(w("embed_tokens.weight"), ids);
    at::Tensor positions = positions_from_mask(mask, tokens);
    at::Tensor bias = causal_only ? at::Tensor() : attention_bias(mask, tokens, true, x.scalar_type());
    const RotaryTable table = rotary_table(positions, w.rotary_frequencies(), x.scalar_type());
    for (std::int64_t i = 0; i < c.num_layers; ++i) {
        const std::string p = "layers." + std::to_string(i) + ".";
        at::Tensor h = rms_norm(x, w(p + "input_layernorm.weight"), c.norm_eps);
        const at::Tensor qkv = w.linears(h, p + "self_attn.qkv_proj", {p + "self_attn.q_proj", p + "self_attn.k_proj", p + "self_attn.v_proj"},
                                         c.attention_bias);
        // The query and key heads, side by side, take their rotary embedding together.
        const auto qk_v = qkv.split_with_sizes({(c.num_heads + c.num_kv_heads) * c.head_dim(), c.num_kv_heads * c.head_dim()}, -1);
        const at::Tensor qk = rotary(split_heads(qk_v[0], c.num_heads + c.num_kv_heads), table);
        at::Tensor q = qk.narrow(1, 0, c.num_heads), k = qk.narrow(1, c.num_heads, c.num_kv_heads);
        at::Tensor v = split_heads(qk_v[1], c.num_kv_heads);
        append_to_cache(cache, i, k, v);
        at::Tensor attended = merge_heads(attention(q, k, v, bias));
        x = x + w.linear(attended, p + "self_attn.o_proj", false);
        h = rms_norm(x, w(p + "post_attention_layernorm.weight"), c.norm_eps);
        const auto gate_up = w.linears(h, p + "mlp.gate_up_proj", {p + "mlp.gate_proj", p + "mlp.up_proj"}, false).chunk(2, -1);
        x = x + w.linear(activation(gate_up[0], c.hidden_act) * gate_up[1], p + "mlp.down_proj", false);
    }
    return rms_norm(x, w("norm.weight"), c.norm_eps);
}

}  // namespace amalgam::arch
