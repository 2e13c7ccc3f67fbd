#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/util/name_table.h"
#include "core/util/progress.h"

namespace amalgam {

/** The embedders a recipe names: the built-in hashing one (no weights), or a BERT-family
 *  sentence encoder such as all-MiniLM-L6-v2 (the paper's) from a model folder. */
enum class EmbedderKind { Hashing, MiniLm };
inline constexpr NameTable<EmbedderKind, 2> embedder_kind_names{"embedder", {{{EmbedderKind::Hashing, "hashing"}, {EmbedderKind::MiniLm, "minilm"}}}};
constexpr const auto& names(EmbedderKind) { return embedder_kind_names; }

/** Turns prompt texts into vectors for the diversity step (paper 2.5). */
class Embedder {
public:
    virtual ~Embedder() = default;
    virtual std::size_t dim() const = 0;
    /** Roughly how long one text takes, for announcing the work's stages (measured on 2 cores). */
    virtual double seconds_per_text() const = 0;
    /// Row-major texts.size() x dim(), each row L2-normalised (all zero for an empty text).
    /// What an embedder learns from the corpus (the hashing one's IDF) comes from the first
    /// `corpus` texts alone (all by default), so that texts embedded beside it leave it as it is.
    std::vector<float> embed(const std::vector<std::string>& texts, Progress& progress, std::size_t corpus = SIZE_MAX) const {
        return embed_texts(texts, std::min(corpus, texts.size()), progress);
    }

protected:
    virtual std::vector<float> embed_texts(const std::vector<std::string>& texts, std::size_t corpus, Progress& progress) const = 0;
};

}  // namespace amalgam
