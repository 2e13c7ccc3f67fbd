#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/model_io/model_config.h"

namespace amalgam {

struct ModelInitOptions {
    ModelType type = ModelType::Llama;
    std::string preset = "tiny";                   ///< tiny or small
    std::optional<std::filesystem::path> tokenizer;  ///< a folder with tokenizer.json or vocab.txt; none: a byte tokenizer
    std::uint64_t seed = 0;
    /// A config to use instead of the preset's (its vocabulary size is taken from the tokenizer).
    std::optional<ModelConfig> config;
    /// Embedding rows beyond the tokenizer's ids, as GPT-NeoX and Qwen2 pad their vocabularies.
    std::int64_t padded_rows = 0;
    /// Whether a folder that is not empty may be replaced (amalgam-cli's --force).
    bool replace = false;
    /// A chat model: the byte tokenizer with ChatML's <|im_start|> and <|im_end|> (257, 258),
    /// and tokenizer_config.json with a ChatML chat template (amalgam-cli's --chat).
    bool chat = false;
};

/** The config of a preset, before the vocabulary size is known: the family's features at
 *  settings a short test text shows (a window of 4, LongRoPE switching at half the context). */
ModelConfig preset_config(ModelType type, const std::string& preset);

/** Writes a complete Hugging Face model folder with random weights: config.json,
 *  model.safetensors and the tokenizer (with `chat`, tokenizer_config.json and its template), all or none (an OutputFolder). It loads like any
 *  checkpoint; it is the built-in default model for demos and tests. Same options, same
 *  bytes. A folder that is not empty is refused unless `replace`. */
void init_random_model(const std::filesystem::path& out_dir, const ModelInitOptions& options);

}  // namespace amalgam
