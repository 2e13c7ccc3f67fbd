#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace amalgam {

/** The regular expressions byte-level BPE tokenizers split text with before merging,
 *  implemented as scanners over code points (std::regex knows no Unicode classes). */
enum class SplitPattern {
    Gpt2,    ///< 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    Llama3,  ///< (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    Qwen2,   ///< the Llama 3 pattern with single digits: \p{N} instead of \p{N}{1,3}
    O200k,   ///< Phi-4's (GPT-4o's): [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|...)?|
             ///< [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|...)?|\p{N}{1,3}|
             ///< ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
    Tekken,  ///< Mistral NeMo's: the o200k pattern without contractions, with single digits (\p{N})
};

/** Which scanner implements a pattern from tokenizer.json; throws std::runtime_error naming
 *  the pattern when none does. */
SplitPattern split_pattern_from_regex(const std::string& regex);

/** The pieces of `text`, in order; concatenated they give `text` back. */
std::vector<std::string> split_text(std::string_view text, SplitPattern pattern);

}  // namespace amalgam
