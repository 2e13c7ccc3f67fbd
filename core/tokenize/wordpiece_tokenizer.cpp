#include "core/tokenize/wordpiece_tokenizer.h"

#include <fstream>
#include <stdexcept>

#include "core/tokenize/unicode.h"

namespace amalgam {
namespace {

bool is_cjk(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_bert_punctuation(char32_t c) {
    bool ascii = (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
    return ascii || unicode::is(c, unicode::Punctuation);
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(const std::unordered_map<std::string, std::int32_t>& vocabulary, Options options,
                                       const std::string& source)
    : options_(std::move(options)) {
    set_vocabulary(vocabulary, source);
    require_id(options_.unk_token, source);
}

std::string WordPieceTokenizer::normalize(std::string_view text) const {
    const BertNormalization& n = options_.normalization;
    std::u32string in = unicode::decode_utf8(text), out;
    out.reserve(in.size());
    for (char32_t c : in) {
        if (n.clean_text) {
            if (c == 0 || c == 0xFFFD) continue;
            if (c != '\t' && c != '\n' && c != '\r' && unicode::is(c, unicode::Other)) continue;
            if (unicode::is(c, unicode::Whitespace)) c = ' ';
        }
        if (n.handle_chinese_chars && is_cjk(c)) {
            out.push_back(' ');
            out.push_back(c);
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    if (n.strip_accents) {
        std::u32string decomposed, kept;
        for (char32_t c : out) unicode::append_nfd(decomposed, c);
        for (char32_t c : decomposed)
            if (!unicode::is(c, unicode::NonspacingMark)) kept.push_back(c);
        out = std::move(kept);
    }
    if (n.lowercase) {
        std::u32string lowered;
        for (char32_t c : out) unicode::append_lower(lowered, c);
        out = std::move(lowered);
    }
    return unicode::encode_utf8(out);
}

void WordPieceTokenizer::tokenize_plain(std::string_view text, bool, std::vector<std::string>& out) const {
    std::u32string normalized = unicode::decode_utf8(normalize(text));
    // Words: runs between whitespace, each punctuation character a word of its own.
    std::vector<std::u32string> words;
    std::u32string word;
    auto flush = [&] {
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
    };
    for (char32_t c : normalized) {
        if (unicode::is(c, unicode::Whitespace)) {
            flush();
        } else if (is_bert_punctuation(c)) {
            flush();
            words.push_back(std::u32string(1, c));
        } else {
            word.push_back(c);
        }
    }
    flush();

    for (const auto& w : words) {
        if (w.size() > options_.max_chars_per_word) {
            out.push_back(options_.unk_token);
            continue;
        }
        std::vector<std::string> pieces;
        bool unknown = false;
        for (std::size_t start = 0; start < w.size();) {
            std::size_t end = w.size();
            std::string found;
            for (; end > start; --end) {
                std::string candidate = (start > 0 ? options_.continuing_prefix : "") + unicode::encode_utf8(w.substr(start, end - start));
                if (token_id(candidate)) {
                    found = std::move(candidate);
                    break;
                }
            }
            if (found.empty()) {
                unknown = true;
                break;
            }
            pieces.push_back(std::move(found));
            start = end;
        }
        if (unknown) out.push_back(options_.unk_token);
        else out.insert(out.end(), pieces.begin(), pieces.end());
    }
}

std::string WordPieceTokenizer::join(const std::vector<std::string>& tokens) const {
    std::string text;
    for (const auto& t : tokens) {
        if (t.rfind(options_.continuing_prefix, 0) == 0) {
            text += t.substr(options_.continuing_prefix.size());
        } else {
            if (!text.empty()) text += ' ';
            text += t;
        }
    }
    // The WordPiece decoder's clean-up of spaces before punctuation and contractions.
    static const std::pair<const char*, const char*> kCleanup[] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
        {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    for (const auto& [from, to] : kCleanup) {
        std::string f(from), t(to);
        for (std::size_t at = text.find(f); at != std::string::npos; at = text.find(f, at + t.size())) text.replace(at, f.size(), t);
    }
    return text;
}

std::unique_ptr<Tokenizer> load_wordpiece_vocab_txt(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path.string() + ": cannot open vocabulary");
    std::unordered_map<std::string, std::int32_t> vocabulary;
    std::int32_t id = 0;
    for (std::string line; std::getline(in, line); ++id) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        vocabulary.emplace(line, id);
    }
    auto tokenizer = std::make_unique<WordPieceTokenizer>(vocabulary, WordPieceTokenizer::Options{}, path.string());
    for (const char* special : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"})
        tokenizer->add_token({special, tokenizer->require_id(special, path.string()), true});
    tokenizer->set_template({tokenizer->require_id("[CLS]", path.string())}, {tokenizer->require_id("[SEP]", path.string())});
    return tokenizer;
}

}  // namespace amalgam
