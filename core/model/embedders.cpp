#include "core/model/embedders.h"

#include <stdexcept>

#include "core/curate/hashing_embedder.h"
#include "core/model/transformer_embedder.h"

namespace amalgam {

std::unique_ptr<Embedder> make_embedder(const std::string& name, const std::string& model_dir) {
    if (name == "hashing") return std::make_unique<HashingEmbedder>();
    if (name == "minilm") {
        if (model_dir.empty()) throw std::invalid_argument("embedder minilm needs model: DIR, a sentence-encoder folder");
        return std::make_unique<TransformerEmbedder>(model_dir);
    }
    throw std::invalid_argument("unknown embedder '" + name + "' (available: hashing, minilm)");
}

}  // namespace amalgam
