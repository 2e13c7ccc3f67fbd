#pragma once

#include <mutex>
#include <unordered_map>

#include "core/tokenize/bpe_merger.h"
#include "core/tokenize/pretokenizer.h"
#include "core/tokenize/tokenizer.h"

namespace amalgam {

/** Byte-level BPE (GPT-2, Llama 3, Qwen2 style): split the text with the pattern, map every
 *  byte to a printable character, then merge adjacent symbols by merge priority. */
class ByteLevelBpeTokenizer final : public Tokenizer {
public:
    struct Options {
        SplitPattern pattern = SplitPattern::Gpt2;
        bool add_prefix_space = false;
        bool nfc = false;            ///< the NFC normaliser (Qwen2 and Qwen3)
        bool ignore_merges = false;  ///< a piece that is a vocabulary token whole stays whole (Llama 3)
    };

    /// `merges` in priority order, each a pair of symbols.
    ByteLevelBpeTokenizer(const std::unordered_map<std::string, std::int32_t>& vocabulary,
                          const std::vector<std::pair<std::string, std::string>>& merges, Options options, const std::string& source);

    std::string kind() const override { return "byte-level BPE"; }

protected:
    void tokenize_plain(std::string_view text, bool at_start, std::vector<std::string>& out) const override;
    std::string join(const std::vector<std::string>& tokens) const override;

private:
    std::vector<std::string> merge_word(const std::string& mapped) const;

    BpeMerger merger_;
    Options options_;
    std::string byte_to_char_[256];                     // UTF-8 of the printable stand-in of each byte
    std::unordered_map<char32_t, unsigned char> char_to_byte_;
    mutable std::mutex cache_mutex_;
    mutable std::unordered_map<std::string, std::vector<std::string>> cache_;  // word -> merged symbols
};

}  // namespace amalgam
