#pragma once

#include <filesystem>
#include <memory>

#include "core/embed/embedder.h"
#include "core/tokenize/tokenizer.h"
#include "core/model/transformer.h"

namespace amalgam {

/** Sentence embeddings from a BERT-family encoder folder (all-MiniLM-L6-v2 in the paper):
 *  mean pooling over real tokens, L2 normalisation. Texts are sorted by length and batched
 *  to waste little on padding. */
class TransformerEmbedder final : public Embedder {
public:
    /** Auto is float32 on every CPU, not a precision that changes with the CPU's instructions:
     *  bfloat16 is slower even where the CPU has AVX-512 BF16 (252 against 382 sentences/s for
     *  a MiniLM-shaped encoder, without AMX). */
    explicit TransformerEmbedder(const std::filesystem::path& model_dir, Precision precision = Precision::Auto,
                                 std::size_t batch_tokens = 4096);

    std::size_t dim() const override { return static_cast<std::size_t>(model_->config().hidden_size); }
    double seconds_per_text() const override { return 2.5e-3; }  // a MiniLM-sized encoder: 400 prompts a second

    /** The token ids `embed` runs, each cut to the model's positions (its closing token kept). */
    std::vector<std::vector<std::int32_t>> token_ids(const std::vector<std::string>& texts) const;
    std::size_t batch_tokens() const { return batch_tokens_; }

    at::ScalarType dtype() const { return model_->dtype(); }

private:
    std::vector<float> embed_texts(const std::vector<std::string>& texts, std::size_t corpus, Progress& progress) const override;

    std::unique_ptr<TransformerModel> model_;
    std::unique_ptr<Tokenizer> tokenizer_;
    std::size_t batch_tokens_;
};

}  // namespace amalgam
