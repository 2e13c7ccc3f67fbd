#include "core/embed/embedders.h"

#include <stdexcept>

#include "core/embed/hashing_embedder.h"
#include "core/embed/transformer_embedder.h"

namespace amalgam {

std::unique_ptr<Embedder> make_embedder(EmbedderKind kind, const std::string& model_dir) {
    if (kind == EmbedderKind::Hashing) return std::make_unique<HashingEmbedder>();
    if (model_dir.empty()) throw std::invalid_argument("embedder minilm needs model: DIR, a sentence-encoder folder");
    return std::make_unique<TransformerEmbedder>(model_dir);
}

}  // namespace amalgam
