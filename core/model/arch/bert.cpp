// BertModel: post-norm encoder blocks over word, position and token-type embeddings.
#include "core/model/arch/families.h"
#include "core/model/layers.h"

namespace amalgam::arch {

at::Tensor bert_hidden(const WeightLookup& w, const ModelConfig& c, const at::Tensor& ids, const at::Tensor& mask) {
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
            return split_heads(dense(x, w(p + "attention.self." + name + ".weight"), w(p + "attention.self." + name + ".bias")), c.num_heads);
        };
        at::Tensor attended = merge_heads(attention(project("query"), project("key"), project("value"), bias));
        attended = dense(attended, w(p + "attention.output.dense.weight"), w(p + "attention.output.dense.bias"));
        x = layer_norm(x + attended, w(p + "attention.output.LayerNorm.weight"), w(p + "attention.output.LayerNorm.bias"), c.norm_eps);
        at::Tensor h = activation(dense(x, w(p + "intermediate.dense.weight"), w(p + "intermediate.dense.bias")), c.hidden_act);
        h = dense(h, w(p + "output.dense.weight"), w(p + "output.dense.bias"));
        x = layer_norm(x + h, w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias"), c.norm_eps);
    }
    return x;
}

}  // namespace amalgam::arch
