#pragma once

#include "core/embed/embedder.h"

namespace amalgam {

/** TF-IDF-weighted feature hashing of lower-cased word unigrams and bigrams into 384 signed
 *  buckets, L2-normalised. IDF comes from the corpus texts embedded together, so one call
 *  embeds a whole corpus. Needs no weights and is deterministic: the built-in default. */
class HashingEmbedder final : public Embedder {
public:
    static constexpr std::size_t kDim = 384;

    std::size_t dim() const override { return kDim; }
    double seconds_per_text() const override { return 8e-6; }  // 0.085 s for 10,650 prompts

private:
    std::vector<float> embed_texts(const std::vector<std::string>& texts, std::size_t corpus, Progress& progress) const override;
};

}  // namespace amalgam
