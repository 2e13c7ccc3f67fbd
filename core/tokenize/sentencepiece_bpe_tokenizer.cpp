#include "core/tokenize/sentencepiece_bpe_tokenizer.h"

#include <cstdio>
#include <stdexcept>

#include "core/tokenize/unicode.h"

namespace amalgam {
namespace {

std::string byte_token(unsigned char b) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "<0x%02X>", b);
    return buffer;
}

/** The byte of a "<0xXX>" token, or -1. */
int byte_of(const std::string& token) {
    if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>') return -1;
    try {
        return std::stoi(token.substr(3, 2), nullptr, 16);
    } catch (const std::exception&) {
        return -1;
    }
}

}  // namespace

SentencePieceBpeTokenizer::SentencePieceBpeTokenizer(const std::unordered_map<std::string, std::int32_t>& vocabulary,
                                                     const std::vector<std::pair<std::string, std::string>>& merges,
                                                     Options options, const std::string& source)
    : merger_(merges), options_(std::move(options)) {
    set_vocabulary(vocabulary, source);
    if (!options_.unk_token.empty()) require_id(options_.unk_token, source);
}

void SentencePieceBpeTokenizer::emit(const std::string& symbol, std::vector<std::string>& out) const {
    if (token_id(symbol)) {
        out.push_back(symbol);
        return;
    }
    if (options_.byte_fallback) {
        std::vector<std::string> bytes;
        for (unsigned char b : symbol) bytes.push_back(byte_token(b));
        bool all_known = true;
        for (const auto& b : bytes) all_known = all_known && token_id(b).has_value();
        if (all_known) {
            out.insert(out.end(), bytes.begin(), bytes.end());
            return;
        }
    }
    if (options_.unk_token.empty()) throw std::runtime_error("'" + symbol + "' is not in the vocabulary and there is no unknown token");
    if (!(options_.fuse_unk && !out.empty() && out.back() == options_.unk_token)) out.push_back(options_.unk_token);
}

void SentencePieceBpeTokenizer::tokenize_plain(std::string_view text, bool at_start, std::vector<std::string>& out) const {
    const std::string& mark = options_.replacement;
    std::string s;
    for (char c : text) {
        if (c == ' ') s += mark;
        else s += c;
    }
    bool prepend = options_.prepend == Prepend::Always || (options_.prepend == Prepend::First && at_start);
    if (prepend && !s.empty() && (options_.prepend_even_if_present || s.rfind(mark, 0) != 0)) s.insert(0, mark);

    std::vector<std::string> words;
    if (options_.split_words) {
        for (std::size_t start = 0; start < s.size();) {
            std::size_t next = s.find(mark, start + (s.compare(start, mark.size(), mark) == 0 ? mark.size() : 0));
            if (next == std::string::npos) next = s.size();
            words.push_back(s.substr(start, next - start));
            start = next;
        }
    } else {
        words.push_back(s);
    }
    for (const auto& word : words) {
        // Characters outside the vocabulary become bytes or the unknown token before merging,
        // so they never merge (as in the reference implementation).
        std::vector<std::string> symbols;
        for (const auto& ch : unicode::split_characters(word)) emit(ch, symbols);
        for (const auto& symbol : merger_.merge(std::move(symbols))) emit(symbol, out);
    }
}

std::string SentencePieceBpeTokenizer::join(const std::vector<std::string>& tokens) const {
    std::string text;
    for (const auto& t : tokens) {
        int b = byte_of(t);
        if (b >= 0) text += static_cast<char>(b);  // consecutive byte tokens rebuild a character
        else text += t;
    }
    std::string out;
    const std::string& mark = options_.replacement;
    for (std::size_t at = 0; at < text.size();) {
        if (text.compare(at, mark.size(), mark) == 0) {
            out += ' ';
            at += mark.size();
        } else {
            out += text[at++];
        }
    }
    if (options_.prepend != Prepend::Never && !out.empty() && out[0] == ' ') out.erase(0, 1);
    return unicode::encode_utf8(unicode::decode_utf8(out));  // stray bytes become U+FFFD
}

}  // namespace amalgam
