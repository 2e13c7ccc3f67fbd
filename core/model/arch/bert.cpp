// BertModel: post-norm encoder blocks over word, position and token-type embeddings.
#include "core/model/arch/families.h"
#include "core/model/layers.h"

namespace amalgam::arch {

at::Tensor bert_hidden(const Layers& w, const ModelConfig& c, const at::Tensor& ids, const at::Tensor& mask) {
    using namespace layers;
    const std::int64_t tokens = ids.size(1);
    at::Tensor positions = at::arange(tokens, ids.options().dtype(at::kLong)).unsqueeze(0);
    at::Tensor x = at::embedding(w("embeddings.word_embeddings.weight"), ids) +
                   at::embedding(w("embeddings.position_embeddings.weight"), positions) +
                   w("embeddings.token_type_embeddings.weight")[0];
    x = layer_norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"), c.norm_eps);
    at::Tensor bias = attention_bias(mask, tokens, false, x.scalar_type());
    for (std::int64_t i = 0; i < c.num_layers; ++i) {
        const std::string p = "encoder.layer." + std::to_string(i) + ".";
        auto project = [&](const std::string& name) {
            return split_heads(w.linear(x, p + "attention.self." + name, true), c.num_heads);
        };
        at::Tensor attended = merge_heads(attention(project("query"), project("key"), project("value"), bias));
        attended = w.linear(attended, p + "attention.output.dense", true);
        x = layer_norm(x + attended, w(p + "attention.output.LayerNorm.weight"), w(p + "attention.output.LayerNorm.bias"), c.norm_eps);
        at::Tensor h = activation(w.linear(x, p + "intermediate.dense", true), c.hidden_act);
        h = w.linear(h, p + "output.dense", true);
        x = layer_norm(x + h, w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias"), c.norm_eps);
    }
    return x;
}

}  // namespace amalgam::arch
