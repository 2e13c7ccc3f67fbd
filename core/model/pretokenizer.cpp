#include "core/model/pretokenizer.h"

#include <stdexcept>

#include "core/model/unicode.h"

namespace amalgam {
namespace {

using unicode::is;

bool is_space(char32_t c) { return is(c, unicode::Whitespace); }
bool is_letter(char32_t c) { return is(c, unicode::Letter); }
bool is_number(char32_t c) { return is(c, unicode::Number); }
bool is_other(char32_t c) { return !is_space(c) && !is_letter(c) && !is_number(c); }

/** Length of the English contraction ('s 't 're 've 'm 'll 'd) at i, or 0. */
std::size_t contraction(const std::u32string& t, std::size_t i) {
    if (t[i] != U'\'' || i + 1 >= t.size()) return 0;
    char32_t a = t[i + 1];
    if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
    if (i + 2 < t.size()) {
        char32_t b = t[i + 2];
        if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
    }
    return 0;
}

/** GPT-2: the first alternative that matches at i, longest as the regex would take it. */
std::size_t gpt2_match(const std::u32string& t, std::size_t i) {
    const std::size_t n = t.size();
    if (std::size_t c = contraction(t, i)) return c;
    std::size_t start = (t[i] == U' ' && i + 1 < n) ? i + 1 : i;  // the optional leading space
    for (bool (*cls)(char32_t) : {is_letter, is_number, is_other}) {
        if (!cls(t[start])) continue;
        std::size_t j = start;
        while (j < n && cls(t[j])) ++j;
        return j - i;
    }
    // Whitespace: a run, leaving its last character to the next word when one follows.
    std::size_t j = i;
    while (j < n && is_space(t[j])) ++j;
    if (j < n && j - i > 1) --j;
    return j - i;
}

}  // namespace

SplitPattern split_pattern_from_regex(const std::string& regex) {
    if (regex == R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)") return SplitPattern::Gpt2;
    throw std::runtime_error("unsupported pre-tokenizer pattern: " + regex);
}

std::vector<std::string> split_text(std::string_view text, SplitPattern) {
    std::u32string t = unicode::decode_utf8(text);
    std::vector<std::string> pieces;
    for (std::size_t i = 0; i < t.size();) {
        std::size_t length = gpt2_match(t, i);
        pieces.push_back(unicode::encode_utf8(std::u32string_view(t).substr(i, length)));
        i += length;
    }
    return pieces;
}

}  // namespace amalgam
