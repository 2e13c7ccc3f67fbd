#include "core/model/bpe_tokenizer.h"

#include <climits>

#include "core/model/unicode.h"

namespace amalgam {
namespace {

std::string merge_key(const std::string& left, const std::string& right) { return left + '\x01' + right; }

}  // namespace

ByteLevelBpeTokenizer::ByteLevelBpeTokenizer(const std::unordered_map<std::string, std::int32_t>& vocabulary,
                                             const std::vector<std::pair<std::string, std::string>>& merges,
                                             SplitPattern pattern, bool add_prefix_space, const std::string& source)
    : pattern_(pattern), add_prefix_space_(add_prefix_space) {
    set_vocabulary(vocabulary, source);
    for (std::size_t i = 0; i < merges.size(); ++i) merge_rank_.emplace(merge_key(merges[i].first, merges[i].second), static_cast<int>(i));
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
    std::vector<std::string> symbols;
    for (char32_t c : unicode::decode_utf8(mapped)) {
        symbols.emplace_back();
        unicode::append_utf8(symbols.back(), c);
    }
    // Merge the adjacent pair of lowest rank until no pair has a rank.
    while (symbols.size() > 1) {
        int best_rank = INT_MAX;
        std::size_t best = 0;
        for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
            auto it = merge_rank_.find(merge_key(symbols[i], symbols[i + 1]));
            if (it != merge_rank_.end() && it->second < best_rank) {
                best_rank = it->second;
                best = i;
            }
        }
        if (best_rank == INT_MAX) break;
        // Merge every occurrence of that pair, left to right, as the reference implementation does.
        std::string left = symbols[best], right = symbols[best + 1];
        std::vector<std::string> merged;
        for (std::size_t i = 0; i < symbols.size();) {
            if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
                merged.push_back(left + right);
                i += 2;
            } else {
                merged.push_back(symbols[i++]);
            }
        }
        symbols = std::move(merged);
    }
    std::lock_guard<std::mutex> lock(cache_mutex_);
    cache_.emplace(mapped, symbols);
    return symbols;
}

void ByteLevelBpeTokenizer::tokenize_plain(std::string_view text, std::vector<std::string>& out) const {
    std::string input(text);
    if (add_prefix_space_ && !input.empty() && input[0] != ' ') input.insert(0, 1, ' ');
    for (const auto& piece : split_text(input, pattern_)) {
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
    return bytes;
}

}  // namespace amalgam
