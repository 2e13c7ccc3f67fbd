#pragma once

#include <memory>
#include <string>

#include "core/embed/embedder.h"

namespace amalgam {

/** The embedder a recipe names: hashing (built in, no weights), or minilm with the folder of a
 *  BERT-family sentence encoder (std::invalid_argument without one). */
std::unique_ptr<Embedder> make_embedder(EmbedderKind kind, const std::string& model_dir);

}  // namespace amalgam
