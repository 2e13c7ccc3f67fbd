#pragma once

#include "core/tokenize/bpe_merger.h"
#include "core/tokenize/tokenizer.h"
#include "core/util/name_table.h"

namespace amalgam {

/** SentencePiece-style BPE as Llama 2 and TinyLlama ship it in tokenizer.json: spaces become
 *  "▁" (Metaspace), a "▁" may be put before the text, symbols are characters, and a character
 *  outside the vocabulary falls back to its UTF-8 bytes as <0xXX> tokens. */
class SentencePieceBpeTokenizer final : public Tokenizer {
public:
    /** When "▁" goes before the text, as tokenizer.json's prepend_scheme names it. */
    enum class Prepend { Always, First, Never };

    struct Options {
        std::string replacement = "\xE2\x96\x81";  ///< "▁"
        Prepend prepend = Prepend::Always;
        bool prepend_even_if_present = false;      ///< the legacy Prepend normaliser adds "▁" regardless
        bool split_words = false;                  ///< split before every "▁" before merging
        bool byte_fallback = true;
        std::string unk_token = "<unk>";
        bool fuse_unk = true;
    };

    SentencePieceBpeTokenizer(const std::unordered_map<std::string, std::int32_t>& vocabulary,
                              const std::vector<std::pair<std::string, std::string>>& merges, Options options,
                              const std::string& source);

    std::string kind() const override { return "SentencePiece BPE"; }

protected:
    void tokenize_plain(std::string_view text, bool at_start, std::vector<std::string>& out) const override;
    std::string join(const std::vector<std::string>& tokens) const override;

private:
    /// A symbol as tokens: itself when in the vocabulary, else its bytes, else the unknown token.
    void emit(const std::string& symbol, std::vector<std::string>& out) const;

    BpeMerger merger_;
    Options options_;
};

inline constexpr NameTable<SentencePieceBpeTokenizer::Prepend, 3> prepend_scheme_names{"prepend_scheme",
                                                                                   {{{SentencePieceBpeTokenizer::Prepend::Always, "always"},
                                                                                     {SentencePieceBpeTokenizer::Prepend::First, "first"},
                                                                                     {SentencePieceBpeTokenizer::Prepend::Never, "never"}}}};
constexpr const auto& names(SentencePieceBpeTokenizer::Prepend) { return prepend_scheme_names; }

}  // namespace amalgam
