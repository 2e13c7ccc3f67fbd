#include "core/tokenize/tokenizer.h"

#include <algorithm>
#include <stdexcept>

namespace amalgam {

namespace {
/// Ids may leave gaps (tokenizers allows them); an id far beyond the count would only make a huge table.
constexpr std::size_t kMaxIdGap = 1000000;
}  // namespace

void Tokenizer::set_vocabulary(const std::unordered_map<std::string, std::int32_t>& vocabulary, const std::string& source) {
    source_ = source;
    ids_ = vocabulary;
    tokens_.assign(vocabulary.size(), std::string());
    std::vector<bool> seen(vocabulary.size(), false);
    for (const auto& [token, id] : vocabulary) {
        if (id < 0 || static_cast<std::size_t>(id) >= vocabulary.size() + kMaxIdGap)
            throw std::runtime_error(source + ": vocabulary token '" + token + "' has id " + std::to_string(id) + ", outside 0.." +
                                     std::to_string(vocabulary.size() + kMaxIdGap - 1));
        if (static_cast<std::size_t>(id) >= tokens_.size()) {
            tokens_.resize(id + 1);
            seen.resize(id + 1, false);
        }
        if (seen[id]) throw std::runtime_error(source + ": vocabulary tokens '" + tokens_[id] + "' and '" + token + "' share id " + std::to_string(id));
        tokens_[id] = token;
        seen[id] = true;
    }
}

void Tokenizer::add_token(AddedToken token) {
    if (token.id < 0 || static_cast<std::size_t>(token.id) > tokens_.size() + kMaxIdGap)
        throw std::runtime_error(source_ + ": added token '" + token.content + "' has id " + std::to_string(token.id) + ", far beyond the " +
                                 std::to_string(tokens_.size()) + " tokens before it");
    if (token.content.empty()) throw std::runtime_error(source_ + ": added token " + std::to_string(token.id) + " is empty");
    if (static_cast<std::size_t>(token.id) >= tokens_.size()) tokens_.resize(token.id + 1);
    tokens_[token.id] = token.content;
    ids_[token.content] = token.id;
    if (token.special) special_ids_.insert(token.id);
    auto& starting = added_by_first_byte_[static_cast<unsigned char>(token.content[0])];
    auto at = std::find_if(starting.begin(), starting.end(), [&](std::size_t k) { return added_[k].content.size() < token.content.size(); });
    starting.insert(at, added_.size());
    added_.push_back(std::move(token));
}

void Tokenizer::set_template(std::vector<std::int32_t> prefix, std::vector<std::int32_t> suffix) {
    prefix_ = std::move(prefix);
    suffix_ = std::move(suffix);
}

std::int32_t Tokenizer::require_id(const std::string& token, const std::string& source) const {
    auto id = token_id(token);
    if (!id) throw std::runtime_error(source + ": token '" + token + "' is not in the vocabulary");
    return *id;
}

std::optional<std::int32_t> Tokenizer::token_id(const std::string& token) const {
    auto it = ids_.find(token);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
}

const std::string& Tokenizer::token(std::int32_t id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size()) throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary");
    return tokens_[id];
}

const AddedToken* Tokenizer::added_token_at(std::string_view text, std::size_t i) const {
    for (std::size_t k : added_by_first_byte_[static_cast<unsigned char>(text[i])])
        if (text.compare(i, added_[k].content.size(), added_[k].content) == 0) return &added_[k];
    return nullptr;
}

std::vector<std::string> Tokenizer::tokenize(std::string_view text) const {
    std::vector<std::string> out;
    std::size_t plain_start = 0;
    for (std::size_t i = 0; i < text.size();) {
        const AddedToken* match = added_token_at(text, i);
        if (!match) {
            ++i;
            continue;
        }
        if (i > plain_start) tokenize_plain(text.substr(plain_start, i - plain_start), plain_start == 0, out);
        out.push_back(match->content);
        i += match->content.size();
        plain_start = i;
    }
    if (plain_start < text.size()) tokenize_plain(text.substr(plain_start), plain_start == 0, out);
    return out;
}

std::vector<std::int32_t> Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
    std::vector<std::int32_t> ids;
    if (add_special_tokens) ids = prefix_;
    for (const auto& t : tokenize(text)) {
        auto it = ids_.find(t);
        if (it == ids_.end()) throw std::runtime_error(source_ + ": token '" + t + "' is not in the vocabulary");
        ids.push_back(it->second);
    }
    if (add_special_tokens) ids.insert(ids.end(), suffix_.begin(), suffix_.end());
    return ids;
}

std::string Tokenizer::decode(const std::vector<std::int32_t>& ids, bool skip_special_tokens) const {
    std::vector<std::string> pieces;
    for (std::int32_t id : ids) {
        const std::string& t = token(id);
        if (!(skip_special_tokens && is_special(id))) pieces.push_back(t);
    }
    return join(pieces);
}

}  // namespace amalgam
