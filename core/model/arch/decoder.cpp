// LlamaForCausalLM and its relatives: blocks of rotary grouped-query attention and a gated MLP
// (SwiGLU, GeGLU), with what sets each family apart read from its DecoderFeatures: where the
// norms sit, q/k norms, fused projections, soft-capping, sliding windows and NoPE layers.
#include "core/model/arch/families.h"
#include "core/model/layers.h"

#include <cmath>

namespace amalgam::arch {

at::Tensor decoder_hidden(const Layers& w, const ModelConfig& c, const at::Tensor& ids, const at::Tensor& mask, KVCache* cache,
                          bool causal_only) {
    using namespace layers;
    const DecoderFeatures& d = c.decoder;
    const std::int64_t tokens = ids.size(1), q_width = c.num_heads * c.head_dim(), kv_width = c.num_kv_heads * c.head_dim();
    auto norm = [&](const at::Tensor& x, const std::string& name) { return rms_norm(x, w(name), c.norm_eps, d.norm_plus_one); };
    at::Tensor x = at::embedding(w("embed_tokens.weight"), ids);
    // Gemma scales by sqrt(hidden) rounded to the model's type, as its reference does.
    if (d.scaled_embeddings) x = x * at::scalar_tensor(std::sqrt(double(c.hidden_size)), x.options());
    const at::Tensor positions = positions_from_mask(mask, tokens);
    const at::Tensor bias = causal_only ? at::Tensor() : attention_bias(mask, tokens, true, x.scalar_type());
    // A window narrower than the text needs its own bias; otherwise sliding layers attend as the others.
    const bool windowed = d.sliding_window > 0 && mask.size(1) > d.sliding_window;
    const at::Tensor window_bias = windowed ? attention_bias(mask, tokens, true, x.scalar_type(), d.sliding_window) : at::Tensor();
    const RotaryTable table = w.rotary(false).table(positions, x.scalar_type());
    const RotaryTable sliding_table = d.sliding_rope ? w.rotary(true).table(positions, x.scalar_type()) : table;
    const ScoreScaling scaling{d.query_pre_attn_scalar > 0 ? 1.0 / std::sqrt(d.query_pre_attn_scalar) : 0.0, d.attn_logit_softcapping};
    const std::vector<std::string> qkv_parts = d.fused_projections ? std::vector<std::string>{"qkv_proj"} : std::vector<std::string>{"q_proj", "k_proj", "v_proj"};
    const std::vector<std::string> mlp_parts = d.fused_projections ? std::vector<std::string>{"gate_up_proj"} : std::vector<std::string>{"gate_proj", "up_proj"};
    auto modules = [](const std::string& prefix, const std::vector<std::string>& parts) {
        std::vector<std::string> out;
        for (const std::string& part : parts) out.push_back(prefix + part);
        return out;
    };
    for (std::int64_t i = 0; i < c.num_layers; ++i) {
        const std::string p = "layers." + std::to_string(i) + ".";
        const bool sliding = c.is_sliding(i);
        at::Tensor h = d.norms == NormPlacement::After ? x : norm(x, p + "input_layernorm.weight");
        const at::Tensor qkv = w.linears(h, p + "self_attn.qkv_proj", modules(p + "self_attn.", qkv_parts), d.qkv_bias);
        const RotaryTable& rope = sliding ? sliding_table : table;
        at::Tensor q, k, v;
        if (d.qk_norm == QkNorm::None && c.has_rope(i)) {
            // The query and key heads, side by side, take their rotary embedding together.
            const auto qk_v = qkv.split_with_sizes({q_width + kv_width, kv_width}, -1);
            const at::Tensor qk = rotary(split_heads(qk_v[0], c.num_heads + c.num_kv_heads), rope);
            q = qk.narrow(1, 0, c.num_heads);
            k = qk.narrow(1, c.num_heads, c.num_kv_heads);
            v = split_heads(qk_v[1], c.num_kv_heads);
        } else {
            const auto parts = qkv.split_with_sizes({q_width, kv_width, kv_width}, -1);
            q = parts[0];
            k = parts[1];
            if (d.qk_norm == QkNorm::Whole) {
                q = norm(q, p + "self_attn.q_norm.weight");
                k = norm(k, p + "self_attn.k_norm.weight");
            }
            q = split_heads(q, c.num_heads);
            k = split_heads(k, c.num_kv_heads);
            if (d.qk_norm == QkNorm::PerHead) {
                q = norm(q, p + "self_attn.q_norm.weight");
                k = norm(k, p + "self_attn.k_norm.weight");
            }
            if (c.has_rope(i)) {
                q = rotary(q, rope);
                k = rotary(k, rope);
            }
            v = split_heads(parts[2], c.num_kv_heads);
        }
        append_to_cache(cache, i, k, v);
        at::Tensor attended = w.linear(merge_heads(attention(q, k, v, sliding && windowed ? window_bias : bias, scaling)), p + "self_attn.o_proj",
                                       d.output_bias);
        if (d.norms != NormPlacement::Before) attended = norm(attended, p + "post_attention_layernorm.weight");
        x = x + attended;
        h = d.norms == NormPlacement::Before   ? norm(x, p + "post_attention_layernorm.weight")
            : d.norms == NormPlacement::Around ? norm(x, p + "pre_feedforward_layernorm.weight")
                                               : x;
        const auto gate_up = w.linears(h, p + "mlp.gate_up_proj", modules(p + "mlp.", mlp_parts), false).chunk(2, -1);
        at::Tensor out = w.linear(activation(gate_up[0], c.hidden_act) * gate_up[1], p + "mlp.down_proj", false);
        if (d.norms != NormPlacement::Before) out = norm(out, p + "post_feedforward_layernorm.weight");
        x = x + out;
    }
    return norm(x, "norm.weight");
}

}  // namespace amalgam::arch
