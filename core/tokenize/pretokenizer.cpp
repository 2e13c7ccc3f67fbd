#include "core/tokenize/pretokenizer.h"

#include <stdexcept>
#include <vector>

#include "core/tokenize/unicode.h"

namespace amalgam {
namespace {

using unicode::is;

bool is_space(char32_t c) { return is(c, unicode::Whitespace); }
bool is_letter(char32_t c) { return is(c, unicode::Letter); }
bool is_number(char32_t c) { return is(c, unicode::Number); }
bool is_other(char32_t c) { return !is_space(c) && !is_letter(c) && !is_number(c); }
bool is_newline(char32_t c) { return c == U'\r' || c == U'\n'; }
bool is_newline_or_slash(char32_t c) { return is_newline(c) || c == U'/'; }
/** o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and [\p{Ll}\p{Lm}\p{Lo}\p{M}]: letters by case, the uncased in both. */
bool is_upper_or_uncased(char32_t c) {
    const auto f = unicode::flags(c);
    return ((f & unicode::Letter) && !(f & unicode::CasedLower)) || (f & unicode::Mark);
}
bool is_lower_or_uncased(char32_t c) {
    const auto f = unicode::flags(c);
    return ((f & unicode::Letter) && !(f & unicode::CasedUpper)) || (f & unicode::Mark);
}
char32_t ascii_lower(char32_t c) { return c >= U'A' && c <= U'Z' ? c + 32 : c; }

/** Length of the English contraction ('s 't 're 've 'm 'll 'd) at i, or 0. */
std::size_t contraction(const std::u32string& t, std::size_t i, bool any_case) {
    if (t[i] != U'\'' || i + 1 >= t.size()) return 0;
    auto fold = [&](char32_t c) { return any_case ? ascii_lower(c) : c; };
    char32_t a = fold(t[i + 1]);
    if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
    if (i + 2 < t.size()) {
        char32_t b = fold(t[i + 2]);
        if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
    }
    return 0;
}

std::size_t run(const std::u32string& t, std::size_t j, bool (*cls)(char32_t)) {
    while (j < t.size() && cls(t[j])) ++j;
    return j;
}

/** \s+(?!\S)|\s+ : a whitespace run, leaving its last character to a word that follows. */
std::size_t whitespace(const std::u32string& t, std::size_t i) {
    std::size_t j = run(t, i, is_space);
    if (j < t.size() && j - i > 1) --j;
    return j - i;
}

/** GPT-2: the first alternative that matches at i, as long as the regex would take it. */
std::size_t gpt2_match(const std::u32string& t, std::size_t i) {
    if (std::size_t c = contraction(t, i, false)) return c;
    std::size_t start = (t[i] == U' ' && i + 1 < t.size()) ? i + 1 : i;  // the optional leading space
    for (bool (*cls)(char32_t) : {is_letter, is_number, is_other})
        if (cls(t[start])) return run(t, start, cls) - i;
    return whitespace(t, i);
}

/** The alternatives Llama 3's and o200k's patterns try after their words:
 *  \p{N}{1,max_digits} | ' ?[^\s\p{L}\p{N}]+' and a run of `after` | \s*[\r\n]+ | \s+(?!\S)|\s+. */
std::size_t digits_punctuation_or_space(const std::u32string& t, std::size_t i, std::size_t max_digits, bool (*after)(char32_t)) {
    const std::size_t n = t.size();
    if (is_number(t[i])) {
        std::size_t j = i;
        while (j < n && j - i < max_digits && is_number(t[j])) ++j;
        return j - i;
    }
    const std::size_t start = (t[i] == U' ' && i + 1 < n && is_other(t[i + 1])) ? i + 1 : i;
    if (is_other(t[start])) return run(t, run(t, start, is_other), after) - i;
    // \s*[\r\n]+ : whitespace up to and including its last line break
    const std::size_t end = run(t, i, is_space);
    std::size_t last_break = 0;
    for (std::size_t j = i; j < end; ++j)
        if (is_newline(t[j])) last_break = j + 1;
    if (last_break) return last_break - i;
    return whitespace(t, i);
}

/** Llama 3 and Qwen2, which differ only in how many digits make one piece. */
std::size_t llama3_match(const std::u32string& t, std::size_t i, std::size_t max_digits) {
    const std::size_t n = t.size();
    if (std::size_t c = contraction(t, i, true)) return c;
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (is_letter(t[i])) return run(t, i, is_letter) - i;
    if (!is_newline(t[i]) && !is_number(t[i]) && i + 1 < n && is_letter(t[i + 1])) return run(t, i + 1, is_letter) - i;
    return digits_punctuation_or_space(t, i, max_digits, is_newline);
}

/** o200k (Phi-4, GPT-4o): words that keep their case runs and contractions, digits in threes,
 *  punctuation with the line breaks and slashes after it. Each alternative as the regex tries
 *  it at i, with its backtracking. Tekken (Mistral NeMo) is the same without contractions and
 *  with single digits. */
std::size_t o200k_match(const std::u32string& t, std::size_t i, bool contractions, std::size_t max_digits) {
    const std::size_t n = t.size();
    // [^\r\n\p{L}\p{N}]? before a word: taken first where it can be, then left out.
    std::vector<std::size_t> starts;
    if (!is_newline(t[i]) && !is_letter(t[i]) && !is_number(t[i]) && i + 1 < n) starts.push_back(i + 1);
    starts.push_back(i);
    auto with_contraction = [&](std::size_t end) { return end + (contractions && end < n ? contraction(t, end, true) : 0) - i; };
    // [UPPER]*[LOWER]+('s...)?: the upper run gives characters back until a lower one can start.
    for (const std::size_t s : starts) {
        const std::size_t k = run(t, s, is_upper_or_uncased);
        for (std::size_t p = k + 1; p-- > s;)
            if (p < n && is_lower_or_uncased(t[p])) return with_contraction(run(t, p, is_lower_or_uncased));
    }
    // [UPPER]+[LOWER]*('s...)?
    for (const std::size_t s : starts)
        if (const std::size_t k = run(t, s, is_upper_or_uncased); k > s) return with_contraction(run(t, k, is_lower_or_uncased));
    return digits_punctuation_or_space(t, i, max_digits, is_newline_or_slash);
}

}  // namespace

SplitPattern split_pattern_from_regex(const std::string& regex) {
    if (regex == R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)") return SplitPattern::Gpt2;
    if (regex == R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)")
        return SplitPattern::Llama3;
    if (regex == R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)")
        return SplitPattern::Qwen2;
    if (regex == R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
                 R"(|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
                 R"(|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)")
        return SplitPattern::O200k;
    if (regex == R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+)"
                 R"(|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*)"
                 R"(|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)")
        return SplitPattern::Tekken;
    throw std::runtime_error("unsupported pre-tokenizer pattern: " + regex);
}

std::vector<std::string> split_text(std::string_view text, SplitPattern pattern) {
    std::u32string t = unicode::decode_utf8(text);
    std::vector<std::string> pieces;
    for (std::size_t i = 0; i < t.size();) {
        std::size_t length = pattern == SplitPattern::Gpt2     ? gpt2_match(t, i)
                             : pattern == SplitPattern::Llama3 ? llama3_match(t, i, 3)
                             : pattern == SplitPattern::Qwen2  ? llama3_match(t, i, 1)
                             : pattern == SplitPattern::O200k  ? o200k_match(t, i, true, 3)
                                                               : o200k_match(t, i, false, 1);
        pieces.push_back(unicode::encode_utf8(std::u32string_view(t).substr(i, length)));
        i += length;
    }
    return pieces;
}

}  // namespace amalgam
