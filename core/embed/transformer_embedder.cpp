#include "core/embed/transformer_embedder.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include <c10/core/GradMode.h>

#include "core/model/generation.h"

namespace amalgam {

TransformerEmbedder::TransformerEmbedder(const std::filesystem::path& model_dir, Precision precision, std::size_t batch_tokens)
    : model_(TransformerModel::load(model_dir, at::kCPU, precision)),
      tokenizer_(load_tokenizer(model_dir)),
      batch_tokens_(batch_tokens) {
    if (model_->config().family != ModelFamily::Bert)
        throw std::invalid_argument(model_dir.string() + ": an embedder needs an encoder (BertModel), not " + model_->config().architecture);
}

std::vector<std::vector<std::int32_t>> TransformerEmbedder::token_ids(const std::vector<std::string>& texts) const {
    const std::size_t max_tokens = static_cast<std::size_t>(model_->config().max_positions);
    std::vector<std::vector<std::int32_t>> ids(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        ids[i] = tokenizer_->encode(texts[i]);
        if (ids[i].size() > max_tokens) {  // keep the closing special token, as truncation does
            std::int32_t last = ids[i].back();
            ids[i].resize(max_tokens);
            ids[i].back() = last;
        }
    }
    return ids;
}

std::vector<float> TransformerEmbedder::embed_texts(const std::vector<std::string>& texts, std::size_t /*corpus: each text alone*/,
                                                   Progress& progress) const {
    const std::size_t n = texts.size(), width = dim();
    const std::vector<std::vector<std::int32_t>> ids = token_ids(texts);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ids[a].size() < ids[b].size(); });

    std::vector<float> out(n * width, 0.0f);
    progress.start("embed", n);
    c10::NoGradGuard no_grad;
    const std::int32_t pad = static_cast<std::int32_t>(model_->config().pad_token_id.value_or(0));
    for (std::size_t start = 0; start < n;) {
        // As many texts as fit the token budget at the length of the longest (the last, sorted).
        std::size_t end = start + 1;
        while (end < n && (end - start + 1) * ids[order[end]].size() <= batch_tokens_) ++end;
        std::vector<std::vector<std::int32_t>> batch;
        for (std::size_t k = start; k < end; ++k) batch.push_back(ids[order[k]]);
        auto [tokens, mask] = padded_batch(batch, pad, /*pad_left=*/false);
        at::Tensor embeddings = model_->sentence_embeddings(tokens, mask).to(at::kFloat).contiguous();
        const float* data = embeddings.data_ptr<float>();
        for (std::size_t k = start; k < end; ++k) std::copy(data + (k - start) * width, data + (k - start + 1) * width, &out[order[k] * width]);
        progress.advance(end);
        start = end;
    }
    progress.finish();
    return out;
}

}  // namespace amalgam
