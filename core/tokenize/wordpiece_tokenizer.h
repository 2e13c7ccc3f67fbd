#pragma once

#include "core/tokenize/tokenizer.h"

namespace amalgam {

/** How BERT cleans text before splitting it (Hugging Face BertNormalizer). */
struct BertNormalization {
    bool clean_text = true;            ///< drop control characters, turn whitespace into spaces
    bool handle_chinese_chars = true;  ///< put spaces around CJK ideographs
    bool strip_accents = true;         ///< NFD, then drop non-spacing marks
    bool lowercase = true;
};

/** BERT's WordPiece: normalise, split on whitespace and punctuation, then greedy
 *  longest-match-first pieces, "##" marking a piece that continues a word. */
class WordPieceTokenizer final : public Tokenizer {
public:
    struct Options {
        BertNormalization normalization;
        std::string unk_token = "[UNK]";
        std::string continuing_prefix = "##";
        std::size_t max_chars_per_word = 100;
    };

    /** From tokenizer.json content (model type WordPiece). */
    WordPieceTokenizer(const std::unordered_map<std::string, std::int32_t>& vocabulary, Options options,
                       const std::string& source);

    std::string kind() const override { return "WordPiece"; }

    /** The text after normalisation (exposed for tests). */
    std::string normalize(std::string_view text) const;

protected:
    void tokenize_plain(std::string_view text, bool at_start, std::vector<std::string>& out) const override;
    std::string join(const std::vector<std::string>& tokens) const override;

private:
    Options options_;
};

/** A BERT tokenizer from a bare vocab.txt (one token per line, id = line - 1), uncased. */
std::unique_ptr<Tokenizer> load_wordpiece_vocab_txt(const std::filesystem::path& path);

}  // namespace amalgam
