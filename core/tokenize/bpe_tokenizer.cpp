#include "core/tokenize/bpe_tokenizer.h"

#include "core/tokenize/unicode.h"

namespace amalgam {

ByteLevelBpeTokenizer::ByteLevelBpeTokenizer(const std::unordered_map<std::string, std::int32_t>& vocabulary,
                                             const std::vector<std::pair<std::string, std::string>>& merges, Options options,
                                             const std::string& source)
    : merger_(merges), options_(options) {
    set_vocabulary(vocabulary, source);
    // GPT-2's byte map: printable Latin-1 bytes stand for themselves, the rest for 256 + n.
    int next = 0;
    for (int b = 0; b < 256; ++b) {
        bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        char32_t c = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + next++);
        unicode::append_utf8(byte_to_char_[b], c);
        char_to_byte_[c] = static_cast<unsigned char>(b);
    }
}

std::vector<std::string> ByteLevelBpeTokenizer::merge_word(const std::string& mapped) const {
    {
        std::lock_guard<std::mutex> lock(cache_mutex_);
        if (auto it = cache_.find(mapped); it != cache_.end()) return it->second;
    }
    std::vector<std::string> symbols =
        options_.ignore_merges && token_id(mapped) ? std::vector<std::string>{mapped} : merger_.merge(unicode::split_characters(mapped));
    std::lock_guard<std::mutex> lock(cache_mutex_);
    cache_.emplace(mapped, symbols);
    return symbols;
}

void ByteLevelBpeTokenizer::tokenize_plain(std::string_view text, bool, std::vector<std::string>& out) const {
    std::string input = options_.nfc ? unicode::nfc(text) : std::string(text);
    if (options_.add_prefix_space && !input.empty() && input[0] != ' ') input.insert(0, 1, ' ');
    for (const auto& piece : split_text(input, options_.pattern)) {
        std::string mapped;
        for (unsigned char b : piece) mapped += byte_to_char_[b];
        for (auto& symbol : merge_word(mapped)) out.push_back(std::move(symbol));
    }
}

std::string ByteLevelBpeTokenizer::join(const std::vector<std::string>& tokens) const {
    std::string bytes;
    for (const auto& t : tokens)
        for (char32_t c : unicode::decode_utf8(t)) {
            auto it = char_to_byte_.find(c);
            if (it != char_to_byte_.end()) bytes += static_cast<char>(it->second);
            else unicode::append_utf8(bytes, c);  // added tokens are plain text
        }
    return unicode::encode_utf8(unicode::decode_utf8(bytes));  // a cut multi-byte character becomes U+FFFD, as errors="replace"
}

}  // namespace amalgam
