// GPT2LMHeadModel: learned positions, pre-norm (LayerNorm) blocks, fused q/k/v Conv1D, GELU MLP.
#include "core/model/arch/families.h"
#include "core/model/layers.h"

namespace amalgam::arch {

at::Tensor gpt2_hidden(const Layers& w, const ModelConfig& c, const at::Tensor& ids, const at::Tensor& mask, KVCache* cache,
                       bool causal_only) {
    using namespace layers;
    const std::int64_t tokens = ids.size(1);
    at::Tensor positions = positions_from_mask(mask, tokens);
    at::Tensor x = at::embedding(w("wte.weight"), ids) + at::embedding(w("wpe.weight"), positions);
    at::Tensor bias = causal_only ? at::Tensor() : attention_bias(mask, tokens, true, x.scalar_type());
    for (std::int64_t i = 0; i < c.num_layers; ++i) {
        const std::string p = "h." + std::to_string(i) + ".";
        at::Tensor h = layer_norm(x, w(p + "ln_1.weight"), w(p + "ln_1.bias"), c.norm_eps);
        auto qkv = w.conv1d(h, p + "attn.c_attn").split(c.hidden_size, -1);
        at::Tensor q = split_heads(qkv[0], c.num_heads), k = split_heads(qkv[1], c.num_heads), v = split_heads(qkv[2], c.num_heads);
        append_to_cache(cache, i, k, v);
        at::Tensor attended = merge_heads(attention(q, k, v, bias));
        x = x + w.conv1d(attended, p + "attn.c_proj");
        h = layer_norm(x, w(p + "ln_2.weight"), w(p + "ln_2.bias"), c.norm_eps);
        h = activation(w.conv1d(h, p + "mlp.c_fc"), c.hidden_act);
        x = x + w.conv1d(h, p + "mlp.c_proj");
    }
    return layer_norm(x, w("ln_f.weight"), w("ln_f.bias"), c.norm_eps);
}

}  // namespace amalgam::arch
