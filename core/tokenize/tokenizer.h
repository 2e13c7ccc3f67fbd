#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace amalgam {

/** A token the tokenizer matches in raw text before anything else ([CLS], <|endoftext|>). */
struct AddedToken {
    std::string content;
    std::int32_t id = 0;
    bool special = false;
};

/** Text to token ids and back, as Hugging Face `tokenizers` does for the same files. The
 *  shared part (vocabulary, added tokens, the special-token template) lives here; a subclass
 *  splits plain text into vocabulary tokens and joins tokens back into text. */
class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    /// What kind of tokenizer this is, for `model info`: "byte-level BPE", "WordPiece".
    virtual std::string kind() const = 0;

    /// Ids of `text`; with add_special_tokens, wrapped in the model's template ([CLS] .. [SEP]).
    std::vector<std::int32_t> encode(std::string_view text, bool add_special_tokens = true) const;
    /// The vocabulary tokens of `text`, without template.
    std::vector<std::string> tokenize(std::string_view text) const;
    /// Text of `ids`; special tokens are left out unless asked for.
    std::string decode(const std::vector<std::int32_t>& ids, bool skip_special_tokens = true) const;

    std::size_t vocab_size() const { return tokens_.size(); }
    /// Whether `id` is an added token marked special (<|im_end|>, [SEP]).
    bool is_special(std::int32_t id) const { return special_ids_.count(id) != 0; }

    /// Registers a token matched in raw text before anything else.
    void add_token(AddedToken token);
    /// Token ids put before and after the text by encode(..., add_special_tokens = true).
    void set_template(std::vector<std::int32_t> prefix, std::vector<std::int32_t> suffix);
    std::int32_t require_id(const std::string& token, const std::string& source) const;
    std::optional<std::int32_t> token_id(const std::string& token) const;
    const std::string& token(std::int32_t id) const;  // throws std::out_of_range

protected:
    /// Appends the vocabulary tokens of a stretch of text without added tokens; `at_start`
    /// says whether it begins the whole text.
    virtual void tokenize_plain(std::string_view text, bool at_start, std::vector<std::string>& out) const = 0;
    /// Joins decoded tokens into text.
    virtual std::string join(const std::vector<std::string>& tokens) const = 0;

    /// Sets the vocabulary: token -> id, each id once; an id left out decodes to nothing.
    void set_vocabulary(const std::unordered_map<std::string, std::int32_t>& vocabulary, const std::string& source);

private:
    std::string source_;  ///< the file the vocabulary came from, for messages
    std::unordered_map<std::string, std::int32_t> ids_;
    std::vector<std::string> tokens_;
    /// The added token that starts at text[i], the longest where several do.
    const AddedToken* added_token_at(std::string_view text, std::size_t i) const;

    std::vector<AddedToken> added_;
    std::array<std::vector<std::size_t>, 256> added_by_first_byte_;  // indices into added_, longest first
    std::unordered_set<std::int32_t> special_ids_;
    std::vector<std::int32_t> prefix_, suffix_;
};

/** Loads a tokenizer from a model folder (tokenizer.json, else vocab.txt) or from either file.
 *  Throws std::runtime_error naming the file and what it could not use. */
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& path);

}  // namespace amalgam
