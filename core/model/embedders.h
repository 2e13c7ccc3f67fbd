#pragma once

#include <memory>
#include <string>

#include "core/curate/embedder.h"

namespace amalgam {

/** The embedder a recipe names: "hashing" (built in, no weights) or "minilm" with the folder
 *  of a BERT-family sentence encoder. Throws std::invalid_argument otherwise. */
std::unique_ptr<Embedder> make_embedder(const std::string& name, const std::string& model_dir);

}  // namespace amalgam
