#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/model/bpe_tokenizer.h"
#include "core/model/tokenizer.h"
#include "core/model/wordpiece_tokenizer.h"

namespace amalgam {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& what) { throw std::runtime_error(source + ": " + what); }

std::unique_ptr<Tokenizer> wordpiece_from_json(const json& root, const std::string& source) {
    const json& model = root["model"];
    WordPieceTokenizer::Options options;
    options.unk_token = model.value("unk_token", options.unk_token);
    options.continuing_prefix = model.value("continuing_subword_prefix", options.continuing_prefix);
    options.max_chars_per_word = model.value("max_input_chars_per_word", options.max_chars_per_word);
    const json& n = root["normalizer"];
    if (n.is_object()) {
        if (n.value("type", "") != "BertNormalizer") fail(source, "unsupported normalizer " + n.value("type", "?") + " for WordPiece");
        BertNormalization& b = options.normalization;
        b.clean_text = n.value("clean_text", true);
        b.handle_chinese_chars = n.value("handle_chinese_chars", true);
        b.lowercase = n.value("lowercase", true);
        b.strip_accents = n["strip_accents"].is_boolean() ? n["strip_accents"].get<bool>() : b.lowercase;  // null: as lowercase
    }
    return std::make_unique<WordPieceTokenizer>(model.at("vocab").get<std::unordered_map<std::string, std::int32_t>>(), options, source);
}

std::unique_ptr<Tokenizer> bpe_from_json(const json& root, const std::string& source) {
    const json& model = root["model"];
    const json& pre = root["pre_tokenizer"];
    if (!pre.is_object() || pre.value("type", "") != "ByteLevel" || !pre.value("use_regex", true))
        fail(source, "unsupported BPE pre-tokenizer " + pre.dump());
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
    const SplitPattern gpt2 = split_pattern_from_regex(R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)");
    return std::make_unique<ByteLevelBpeTokenizer>(model.at("vocab").get<std::unordered_map<std::string, std::int32_t>>(),
                                                   merges, gpt2, pre.value("add_prefix_space", false), source);
}

/** Special tokens the post-processor puts around a single sequence. */
void apply_post_processor(const json& post, Tokenizer& tokenizer, const std::string& source) {
    if (!post.is_object()) return;
    const std::string type = post.value("type", "");
    if (type == "TemplateProcessing") {
        std::vector<std::int32_t> prefix, suffix;
        bool after_sequence = false;
        for (const auto& piece : post.at("single")) {
            if (piece.contains("Sequence")) {
                after_sequence = true;
            } else if (piece.contains("SpecialToken")) {
                std::string name = piece["SpecialToken"].at("id");
                for (const auto& id : post.at("special_tokens").at(name).at("ids"))
                    (after_sequence ? suffix : prefix).push_back(id.get<std::int32_t>());
            }
        }
        tokenizer.set_template(prefix, suffix);
    } else if (type == "BertProcessing" || type == "RobertaProcessing") {
        tokenizer.set_template({post.at("cls").at(1).get<std::int32_t>()}, {post.at("sep").at(1).get<std::int32_t>()});
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
            tokenizer->add_token({t.at("content").get<std::string>(), t.at("id").get<std::int32_t>(), t.value("special", false)});
        apply_post_processor(root["post_processor"], *tokenizer, source);
        return tokenizer;
    } catch (const json::exception& e) {
        fail(source, std::string("malformed tokenizer.json: ") + e.what());
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
