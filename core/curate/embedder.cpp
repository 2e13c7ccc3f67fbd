#include "core/curate/embedder.h"

#include <stdexcept>

#include "core/curate/hashing_embedder.h"

namespace amalgam {

std::unique_ptr<Embedder> make_embedder(const std::string& name, const std::string& /*model_dir*/) {
    if (name == "hashing") return std::make_unique<HashingEmbedder>();
    throw std::invalid_argument("unknown embedder '" + name + "' (available: hashing)");
}

}  // namespace amalgam
