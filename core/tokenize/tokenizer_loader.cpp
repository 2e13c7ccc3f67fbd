#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/tokenize/bpe_tokenizer.h"
#include "core/tokenize/sentencepiece_bpe_tokenizer.h"
#include "core/tokenize/tokenizer.h"
#include "core/tokenize/wordpiece_tokenizer.h"
#include "core/util/json_error.h"

namespace amalgam {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& what) { throw std::runtime_error(source + ": " + what); }

std::unordered_map<std::string, std::int32_t> read_vocab(const json& vocab, const std::string& source) {
    if (!vocab.is_object()) fail(source, "model.vocab must map tokens to ids");
    std::unordered_map<std::string, std::int32_t> out;
    for (const auto& [token, id] : vocab.items()) out.emplace(token, json_token_id(id, source + ": the id of vocabulary token '" + token + "'"));
    return out;
}

std::unique_ptr<Tokenizer> wordpiece_from_json(const json& root, const std::string& source) {
    const json& model = json_member(root, "model");
    WordPieceTokenizer::Options options;
    options.unk_token = model.value("unk_token", options.unk_token);
    options.continuing_prefix = model.value("continuing_subword_prefix", options.continuing_prefix);
    options.max_chars_per_word = model.value("max_input_chars_per_word", options.max_chars_per_word);
    const json& n = json_member(root, "normalizer");
    if (n.is_object()) {
        if (n.value("type", "") != "BertNormalizer") fail(source, "unsupported normalizer " + n.value("type", "?") + " for WordPiece");
        BertNormalization& b = options.normalization;
        b.clean_text = n.value("clean_text", true);
        b.handle_chinese_chars = n.value("handle_chinese_chars", true);
        b.lowercase = n.value("lowercase", true);
        b.strip_accents = json_member(n, "strip_accents").is_boolean() ? json_member(n, "strip_accents").get<bool>() : b.lowercase;  // null: as lowercase
    }
    return std::make_unique<WordPieceTokenizer>(read_vocab(model.at("vocab"), source), options, source);
}

std::vector<std::pair<std::string, std::string>> read_merges(const json& model, const std::string& source) {
    std::vector<std::pair<std::string, std::string>> merges;
    for (const auto& m : model.at("merges")) {
        if (m.is_string()) {  // "left right"
            const std::string& s = m.get_ref<const std::string&>();
            auto space = s.find(' ');
            if (space == std::string::npos) fail(source, "merge '" + s + "' is not two symbols");
            merges.emplace_back(s.substr(0, space), s.substr(space + 1));
        } else if (m.is_array() && m.size() == 2) {  // ["left", "right"]
            merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
        } else {
            fail(source, "unreadable merge " + m.dump());
        }
    }
    return merges;
}

/** The split pattern of a byte-level pre-tokenizer: ByteLevel with its own (GPT-2) regex, or
 *  Split(regex) followed by ByteLevel without one (Llama 3, Qwen2). */
std::optional<SplitPattern> byte_level_pattern(const json& pre) {
    if (!pre.is_object()) return std::nullopt;
    const std::string type = pre.value("type", "");
    if (type == "ByteLevel" && pre.value("use_regex", true)) return SplitPattern::Gpt2;
    if (type != "Sequence") return std::nullopt;
    const json& steps = pre.at("pretokenizers");
    if (steps.size() == 2 && steps[0].value("type", "") == "Split" && steps[1].value("type", "") == "ByteLevel" &&
        !steps[1].value("use_regex", true) && steps[0].at("pattern").contains("Regex"))
        return split_pattern_from_regex(json_member(json_member(steps[0], "pattern"), "Regex").get<std::string>());
    return std::nullopt;
}

/** Whether a byte-level tokenizer's normaliser is NFC (Qwen2, Qwen3); none is the other
 *  choice, so that a normaliser we cannot apply is refused rather than skipped. */
bool byte_level_nfc(const json& normalizer, const std::string& source) {
    if (normalizer.is_null()) return false;
    const std::string type = normalizer.value("type", "");
    if (type == "NFC") return true;
    if (type == "Sequence" && normalizer.value("normalizers", json::array()).empty()) return false;
    fail(source, "unsupported normalizer " + normalizer.dump() + " for byte-level BPE");
}

/** Metaspace settings from either the pre-tokenizer or the legacy Prepend + Replace normaliser. */
SentencePieceBpeTokenizer::Options sentencepiece_options(const json& root, const std::string& source) {
    SentencePieceBpeTokenizer::Options o;
    const json& model = json_member(root, "model");
    o.byte_fallback = model.value("byte_fallback", false);
    o.fuse_unk = model.value("fuse_unk", false);
    o.unk_token = json_member(model, "unk_token").is_string() ? json_member(model, "unk_token").get<std::string>() : "";
    const json& pre = json_member(root, "pre_tokenizer");
    const json& norm = json_member(root, "normalizer");
    if (pre.is_object() && pre.value("type", "") == "Metaspace") {
        o.replacement = pre.value("replacement", o.replacement);
        o.split_words = pre.value("split", true);
        const std::string scheme = pre.value("prepend_scheme", pre.value("add_prefix_space", true) ? "always" : "never");
        const auto prepend = prepend_scheme_names.find(scheme);
        if (!prepend) fail(source, "prepend_scheme '" + scheme + "' is not " + prepend_scheme_names.choices());
        o.prepend = *prepend;
        return o;
    }
    // Gemma's Split on " " finds no space once its Replace normaliser has run: nothing to do.
    const bool splits_spaces = pre.is_object() && pre.value("type", "") == "Split" && json_member(pre, "pattern").value("String", "") == " ";
    if (pre.is_object() && !splits_spaces) fail(source, "unsupported pre-tokenizer " + pre.dump(-1).substr(0, 200));
    // The legacy normaliser: Prepend and Replace in a Sequence (Llama 2), or Replace alone (Gemma).
    if (norm.is_object() && (norm.value("type", "") == "Sequence" || norm.value("type", "") == "Replace")) {
        o.prepend = SentencePieceBpeTokenizer::Prepend::Never;
        const json steps = norm.value("type", "") == "Replace" ? json::array({norm}) : norm.at("normalizers");
        for (const auto& step : steps) {
            std::string type = step.value("type", "");
            if (type == "Prepend") {
                o.prepend = SentencePieceBpeTokenizer::Prepend::Always;
                o.prepend_even_if_present = true;
                o.replacement = step.value("prepend", o.replacement);
            } else if (type != "Replace") {
                fail(source, "unsupported normalizer step " + type);
            }
        }
        return o;
    }
    fail(source, "BPE without a byte-level or Metaspace pre-tokenizer is not supported");
}

std::unique_ptr<Tokenizer> bpe_from_json(const json& root, const std::string& source) {
    const json& model = json_member(root, "model");
    auto vocabulary = read_vocab(model.at("vocab"), source);
    auto merges = read_merges(model, source);
    for (const auto& [left, right] : merges)  // as the tokenizers library requires
        for (const std::string& part : {left, right, left + right})
            if (!vocabulary.count(part)) fail(source, "merge '" + left + " " + right + "' names '" + part + "', which is not in the vocabulary");
    const bool ignore_merges = model.value("ignore_merges", false);
    if (auto pattern = byte_level_pattern(json_member(root, "pre_tokenizer"))) {
        const json& pre = json_member(root, "pre_tokenizer");
        ByteLevelBpeTokenizer::Options options;
        options.pattern = *pattern;
        options.add_prefix_space = pre.value("type", "") == "ByteLevel" && pre.value("add_prefix_space", false);
        options.nfc = byte_level_nfc(json_member(root, "normalizer"), source);
        options.ignore_merges = ignore_merges;
        return std::make_unique<ByteLevelBpeTokenizer>(vocabulary, merges, options, source);
    }
    if (ignore_merges) fail(source, "ignore_merges is not supported for SentencePiece BPE");
    return std::make_unique<SentencePieceBpeTokenizer>(vocabulary, merges, sentencepiece_options(root, source), source);
}

/** Special tokens the post-processor puts around a single sequence. */
void apply_post_processor(const json& post, Tokenizer& tokenizer, const std::string& source) {
    if (!post.is_object()) return;
    const std::string type = post.value("type", "");
    if (type == "Sequence") {  // ByteLevel then TemplateProcessing (Llama 3.1 and later)
        for (const auto& step : post.at("processors")) apply_post_processor(step, tokenizer, source);
    } else if (type == "TemplateProcessing") {
        std::vector<std::int32_t> prefix, suffix;
        bool after_sequence = false;
        for (const auto& piece : post.at("single")) {
            if (piece.contains("Sequence")) {
                after_sequence = true;
            } else if (piece.contains("SpecialToken")) {
                std::string name = json_member(piece, "SpecialToken").at("id");
                for (const auto& id : post.at("special_tokens").at(name).at("ids"))
                    (after_sequence ? suffix : prefix).push_back(json_token_id(id, source + ": a post-processor id"));
            }
        }
        tokenizer.set_template(prefix, suffix);
    } else if (type == "BertProcessing" || type == "RobertaProcessing") {
        tokenizer.set_template({json_token_id(post.at("cls").at(1), source + ": cls")}, {json_token_id(post.at("sep").at(1), source + ": sep")});
    } else if (type != "ByteLevel") {
        fail(source, "unsupported post-processor " + type);
    }
}

std::unique_ptr<Tokenizer> load_tokenizer_json(const std::filesystem::path& path) {
    const std::string source = path.string();
    std::ifstream in(path);
    if (!in) fail(source, "cannot open");
    json root;
    try {
        root = json::parse(in);
        const std::string type = root.at("model").value("type", "");
        std::unique_ptr<Tokenizer> tokenizer;
        if (type == "WordPiece") tokenizer = wordpiece_from_json(root, source);
        else if (type == "BPE") tokenizer = bpe_from_json(root, source);
        else fail(source, "unsupported tokenizer model '" + type + "'");
        for (const auto& t : root.value("added_tokens", json::array()))
            tokenizer->add_token({t.at("content").get<std::string>(), json_token_id(t.at("id"), source + ": an added token's id"), t.value("special", false)});
        apply_post_processor(json_member(root, "post_processor"), *tokenizer, source);
        return tokenizer;
    } catch (const json::exception& e) {
        fail(source, "malformed tokenizer.json: " + json_error_text(e));
    }
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    if (fs::is_directory(path)) {
        if (fs::exists(path / "tokenizer.json")) return load_tokenizer_json(path / "tokenizer.json");
        if (fs::exists(path / "vocab.txt")) return load_wordpiece_vocab_txt(path / "vocab.txt");
        fail(path.string(), "no tokenizer.json or vocab.txt in this folder");
    }
    if (path.filename() == "vocab.txt" || path.extension() == ".txt") return load_wordpiece_vocab_txt(path);
    return load_tokenizer_json(path);
}

}  // namespace amalgam
