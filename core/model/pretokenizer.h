#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace amalgam {

/** The regular expressions byte-level BPE tokenizers split text with before merging,
 *  implemented as scanners over code points (std::regex knows no Unicode classes). */
enum class SplitPattern {
    Gpt2,  ///< 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
};

/** Which scanner implements a pattern from tokenizer.json; throws std::runtime_error naming
 *  the pattern when none does. */
SplitPattern split_pattern_from_regex(const std::string& regex);

/** The pieces of `text`, in order; concatenated they give `text` back. */
std::vector<std::string> split_text(std::string_view text, SplitPattern pattern);

}  // namespace amalgam
