#pragma once

#include <filesystem>
#include <memory>

#include "core/curate/embedder.h"
#include "core/model/tokenizer.h"
#include "core/model/transformer.h"

namespace amalgam {

/** Sentence embeddings from a BERT-family encoder folder (all-MiniLM-L6-v2 in the paper):
 *  mean pooling over real tokens, L2 normalisation. Texts are sorted by length and batched
 *  to waste little on padding. Where the CPU has AVX-512 BF16, weights run in bfloat16
 *  (several times faster, embeddings within cosine 0.999 of float32). */
class TransformerEmbedder final : public Embedder {
public:
    /** Auto: bfloat16 where the CPU has AVX-512 BF16, float32 elsewhere. */
    explicit TransformerEmbedder(const std::filesystem::path& model_dir, Precision precision = Precision::Auto,
                                 std::size_t batch_tokens = 4096);

    std::string name() const override { return "minilm"; }
    std::size_t dim() const override { return static_cast<std::size_t>(model_->config().hidden_size); }
    double seconds_per_text() const override { return 2.5e-3; }  // a MiniLM-sized encoder: 400 prompts a second
    std::vector<float> embed(const std::vector<std::string>& texts, Progress& progress) const override;

    /** The token ids `embed` runs, each cut to the model's positions (its closing token kept). */
    std::vector<std::vector<std::int32_t>> token_ids(const std::vector<std::string>& texts) const;
    std::size_t batch_tokens() const { return batch_tokens_; }

    at::ScalarType dtype() const { return model_->dtype(); }

private:
    std::unique_ptr<TransformerModel> model_;
    std::unique_ptr<Tokenizer> tokenizer_;
    std::size_t batch_tokens_;
};

/** Whether this CPU runs bfloat16 matrix products natively (AVX-512 BF16), and AMALGAM_SIMD
 *  does not ask for a lower level. */
bool cpu_has_bf16();

}  // namespace amalgam
