#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/tokenize/pretokenizer.h"
#include "core/tokenize/tokenizer.h"
#include "core/tokenize/unicode.h"
#include "core/tokenize/wordpiece_tokenizer.h"
#include "core/util/sha256.h"
#include "test_support.h"

namespace amalgam {
namespace {

using test::shared_data_dir;

nlohmann::json read_json(const std::filesystem::path& p) {
    std::ifstream in(p);
    return nlohmann::json::parse(in);
}

std::vector<std::string> split(std::string_view text) { return split_text(text, SplitPattern::Gpt2); }

TEST(Unicode, ClassesAndMappings) {
    EXPECT_TRUE(unicode::is(U'a', unicode::Letter));
    EXPECT_TRUE(unicode::is(U'\u00E9', unicode::Letter));
    EXPECT_TRUE(unicode::is(U'\u4E2D', unicode::Letter));
    EXPECT_TRUE(unicode::is(U'7', unicode::Number));
    EXPECT_TRUE(unicode::is(U'\u0663', unicode::Number));  // Arabic-Indic three
    EXPECT_TRUE(unicode::is(U'\u3000', unicode::Whitespace));
    EXPECT_TRUE(unicode::is(U'\u0301', unicode::NonspacingMark));
    EXPECT_TRUE(unicode::is(U'\u00BF', unicode::Punctuation));
    EXPECT_FALSE(unicode::is(U'$', unicode::Punctuation));
    std::u32string out;
    unicode::append_lower(out, U'\u00C9');
    unicode::append_lower(out, U'\u0130');  // capital I with dot: two code points
    EXPECT_EQ(out, U"\u00E9i\u0307");
    out.clear();
    unicode::append_nfd(out, U'\u00E9');
    unicode::append_nfd(out, U'\uAC01');  // Hangul by formula
    EXPECT_EQ(out, U"e\u0301\u1100\u1161\u11A8");
}

TEST(Unicode, NfcComposesAsPythonsUnicodedata) {
    // Expected values from unicodedata.normalize("NFC", ...) under Unicode 14.0.0.
    EXPECT_EQ(unicode::nfc("e\u0301"), "\u00E9");
    EXPECT_EQ(unicode::nfc("a\u0300\u0301\u0302"), "\u00E0\u0301\u0302");  // one mark joins, the rest are blocked
    EXPECT_EQ(unicode::nfc("\u1100\u1161\u11A8"), "\uAC01");                 // Hangul L V T by formula
    EXPECT_EQ(unicode::nfc("\uAC00\u11A8"), "\uAC01");                        // LV then T
    EXPECT_EQ(unicode::nfc("\u0958"), "\u0915\u093C");                        // a composition exclusion stays apart
    EXPECT_EQ(unicode::nfc("\u212B"), "\u00C5");                              // a singleton (Angstrom sign)
    EXPECT_EQ(unicode::nfc("q\u0307\u0323"), "q\u0323\u0307");               // marks put in canonical order
    EXPECT_EQ(unicode::nfc("\u1E0B\u0323"), "\u1E0D\u0307");                 // reordered, then the lower mark joins
    EXPECT_EQ(unicode::nfc("A\u030A\u0301"), "\u01FA");                       // composes twice
    EXPECT_EQ(unicode::nfc("\u0344"), "\u0308\u0301");                        // a non-starter decomposition
    EXPECT_EQ(unicode::nfc("\u0323\u0307 marks first"), "\u0323\u0307 marks first");
    EXPECT_EQ(unicode::nfc("plain caf\u00E9"), "plain caf\u00E9");
}

TEST(Unicode, Utf8RoundTrip) {
    std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
    EXPECT_EQ(unicode::encode_utf8(unicode::decode_utf8(text)), text);
    EXPECT_EQ(unicode::decode_utf8("a\xFF"), U"a\uFFFD");
}

TEST(Pretokenizer, Gpt2Pattern) {
    EXPECT_EQ(split("Hello world"), (std::vector<std::string>{"Hello", " world"}));
    EXPECT_EQ(split("I'll go, isn't it?"), (std::vector<std::string>{"I", "'ll", " go", ",", " isn", "'t", " it", "?"}));
    EXPECT_EQ(split("a  b"), (std::vector<std::string>{"a", " ", " b"}));
    EXPECT_EQ(split("x\n\ny "), (std::vector<std::string>{"x", "\n", "\n", "y", " "}));
    EXPECT_EQ(split("year 2024!!"), (std::vector<std::string>{"year", " 2024", "!!"}));
    EXPECT_EQ(split("caf\xC3\xA9s"), (std::vector<std::string>{"caf\xC3\xA9s"}));
}

TEST(Pretokenizer, Llama3AndQwen2Patterns) {
    auto llama = [](std::string_view s) { return split_text(s, SplitPattern::Llama3); };
    using V = std::vector<std::string>;
    EXPECT_EQ(llama("Hello world"), (V{"Hello", " world"}));
    EXPECT_EQ(llama("I'LL go"), (V{"I", "'LL", " go"}));  // contractions in any case
    EXPECT_EQ(llama("12345"), (V{"123", "45"}));
    EXPECT_EQ(split_text("12345", SplitPattern::Qwen2), (V{"1", "2", "3", "4", "5"}));
    EXPECT_EQ(llama("!hello"), (V{"!hello"}));           // one non-letter may lead a word
    EXPECT_EQ(llama("a\n\nb"), (V{"a", "\n\n", "b"}));
    EXPECT_EQ(llama("x  \n y"), (V{"x", "  \n", " y"}));
    EXPECT_EQ(llama("hi..\n\nok"), (V{"hi", "..\n\n", "ok"}));
    EXPECT_EQ(llama("  1"), (V{" ", " ", "1"}));
    EXPECT_THROW(split_pattern_from_regex("\\w+"), std::runtime_error);
}

TEST(Pretokenizer, O200kAndTekkenPatterns) {
    using V = std::vector<std::string>;
    EXPECT_EQ(split_text("HTTPServer's 12345", SplitPattern::O200k), (V{"HTTPServer's", " ", "123", "45"}));
    EXPECT_EQ(split_text("HTTPServer's 12345", SplitPattern::Tekken), (V{"HTTPServer", "'s", " ", "1", "2", "3", "4", "5"}));
}

/** A tiny SentencePiece-style tokenizer.json: byte tokens, a few merges building "▁hello". */
nlohmann::json sentencepiece_fixture() {
    nlohmann::json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        vocab[name] = 3 + b;
    }
    int next = 259;
    for (const char* piece : {"\u2581", "h", "e", "l", "o", "\u2581h", "ll", "\u2581he", "llo", "\u2581hello", "w", "r", "d"})
        vocab[nlohmann::json::parse(std::string("\"") + piece + "\"").get<std::string>()] = next++;
    return {
        {"added_tokens", {{{"id", 0}, {"content", "<unk>"}, {"special", true}},
                          {{"id", 1}, {"content", "<s>"}, {"special", true}},
                          {{"id", 2}, {"content", "</s>"}, {"special", true}}}},
        {"normalizer", {{"type", "Sequence"},
                        {"normalizers", {{{"type", "Prepend"}, {"prepend", "\u2581"}},
                                         {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}}}}}},
        {"pre_tokenizer", nullptr},
        {"post_processor", {{"type", "TemplateProcessing"},
                            {"single", {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
                            {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
        {"model", {{"type", "BPE"}, {"unk_token", "<unk>"}, {"byte_fallback", true}, {"fuse_unk", true}, {"vocab", vocab},
                   {"merges", {"\u2581 h", "l l", "\u2581h e", "ll o", "\u2581he llo"}}}}};
}

TEST(SentencePieceBpe, MergesMetaspaceAndFallsBackToBytes) {
    test::TempDir dir;
    dir.write("tokenizer.json", sentencepiece_fixture().dump());
    auto t = load_tokenizer(dir.path());
    EXPECT_EQ(t->kind(), "SentencePiece BPE");
    EXPECT_EQ(t->encode("hello hello"), (std::vector<std::int32_t>{1, 268, 268}));
    EXPECT_EQ(t->tokenize("hello word"), (std::vector<std::string>{"\xE2\x96\x81hello", "\xE2\x96\x81", "w", "o", "r", "d"}));
    auto accented = t->encode("h\xC3\xA9", false);
    EXPECT_EQ(accented, (std::vector<std::int32_t>{264, 3 + 0xC3, 3 + 0xA9}));  // "▁h", then é as two bytes
    EXPECT_EQ(t->decode(accented), "h\xC3\xA9");
    EXPECT_EQ(t->decode(t->encode("hello world")), "hello world");
}

TEST(SentencePieceBpe, MetaspacePreTokenizerPrependsOnlyAtTheStart) {
    auto fixture = sentencepiece_fixture();
    fixture["normalizer"] = nullptr;
    fixture["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "first"}, {"split", true}};
    test::TempDir dir;
    dir.write("tokenizer.json", fixture.dump());
    auto t = load_tokenizer(dir.path());
    EXPECT_EQ(t->encode("hello hello", false), (std::vector<std::int32_t>{268, 268}));
    // After an added token the text is not at the start: no "▁" is put before "hello".
    EXPECT_EQ(t->encode("</s>hello", false), (std::vector<std::int32_t>{2, 260, 261, 267}));
}

TEST(SentencePieceBpe, AReplaceNormalizerAloneIsASequenceOfIt) {
    // Gemma's layout: spaces become "▁", nothing is put before the text.
    auto alone = sentencepiece_fixture(), sequence = sentencepiece_fixture();
    alone["normalizer"] = {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}};
    sequence["normalizer"]["normalizers"].erase(0);  // the Sequence without its Prepend
    test::TempDir a, b;
    a.write("tokenizer.json", alone.dump());
    b.write("tokenizer.json", sequence.dump());
    auto t = load_tokenizer(a.path()), u = load_tokenizer(b.path());
    for (const char* text : {"hello hello", "hello", " hello world", "h\xC3\xA9 llo"}) EXPECT_EQ(t->encode(text), u->encode(text)) << text;
    EXPECT_EQ(t->encode("hello hello", false), (std::vector<std::int32_t>{260, 261, 267, 268}));  // no "▁" before the first word
}

TEST(SentencePieceBpe, AMergeOfTokensNotInTheVocabularyIsRefusedNamingTheFile) {
    auto fixture = sentencepiece_fixture();
    fixture["model"]["merges"].push_back("l yz");
    test::TempDir dir;
    dir.write("tokenizer.json", fixture.dump());
    try {
        load_tokenizer(dir.path());
        FAIL() << "a merge of unknown tokens was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), (dir / "tokenizer.json").string() + ": merge 'l yz' names 'yz', which is not in the vocabulary");
    }
}

/** A tiny byte-level tokenizer.json: the 256 byte symbols, "he", "ll", "hell", "hello" by merges,
 *  and "lo" whole in the vocabulary though no merge makes it. */
nlohmann::json byte_level_fixture() {
    nlohmann::json vocab;
    int next = 0;
    for (int b = 0; b < 256; ++b) {
        bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        std::string symbol;
        unicode::append_utf8(symbol, printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + next++));
        vocab[symbol] = b;
    }
    vocab["he"] = 256;
    vocab["ll"] = 257;
    vocab["hell"] = 258;
    vocab["hello"] = 259;
    vocab["lo"] = 260;
    return {{"added_tokens", {{{"id", 261}, {"content", "<|begin|>"}, {"special", true}}, {{"id", 262}, {"content", "<|be"}, {"special", false}}}},
            {"normalizer", nullptr},
            {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
            {"post_processor", {{"type", "ByteLevel"}}},
            {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", {"h e", "l l", "he ll", "hell o"}}}}};
}

std::unique_ptr<Tokenizer> load_json(const nlohmann::json& root) {
    test::TempDir dir;
    dir.write("tokenizer.json", root.dump());
    return load_tokenizer(dir.path());
}

TEST(ByteLevelBpe, NfcNormalizerComposesBeforeSplitting) {
    auto root = byte_level_fixture();
    const std::string decomposed = "e\u0301", composed = "\u00E9";
    EXPECT_NE(load_json(root)->encode(decomposed), load_json(root)->encode(composed));
    root["normalizer"] = {{"type", "NFC"}};
    EXPECT_EQ(load_json(root)->encode(decomposed), load_json(root)->encode(composed));
    root["normalizer"] = {{"type", "NFKC"}};
    EXPECT_THROW(
        {
            try {
                load_json(root);
            } catch (const std::runtime_error& e) {
                EXPECT_NE(std::string(e.what()).find("unsupported normalizer {\"type\":\"NFKC\"} for byte-level BPE"), std::string::npos) << e.what();
                throw;
            }
        },
        std::runtime_error);
}

TEST(ByteLevelBpe, IgnoreMergesTakesAWholeVocabularyWord) {
    auto root = byte_level_fixture();
    EXPECT_EQ(load_json(root)->tokenize("lo"), (std::vector<std::string>{"l", "o"}));
    root["model"]["ignore_merges"] = true;
    EXPECT_EQ(load_json(root)->tokenize("lo"), (std::vector<std::string>{"lo"}));
    EXPECT_EQ(load_json(root)->tokenize("hello"), (std::vector<std::string>{"hello"}));
}

TEST(ByteLevelBpe, ASequenceOfPostProcessorsAddsTheTemplatesTokens) {
    auto root = byte_level_fixture();
    const nlohmann::json begin = {{"SpecialToken", {{"id", "<|begin|>"}, {"type_id", 0}}}};
    const nlohmann::json sequence = {{"Sequence", {{"id", "A"}, {"type_id", 0}}}};
    nlohmann::json special_tokens;
    special_tokens["<|begin|>"] = {{"id", "<|begin|>"}, {"ids", {261}}, {"tokens", {"<|begin|>"}}};
    const nlohmann::json byte_level = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}};
    const nlohmann::json templated = {{"type", "TemplateProcessing"}, {"single", {begin, sequence}}, {"special_tokens", special_tokens}};
    root["post_processor"] = {{"type", "Sequence"}, {"processors", {byte_level, templated}}};
    auto t = load_json(root);
    EXPECT_EQ(t->encode("hello"), (std::vector<std::int32_t>{261, 259}));
    EXPECT_EQ(t->decode(t->encode("hello")), "hello");
}

TEST(ByteLevelBpe, TheLongestAddedTokenWinsAndSpecialOnesAreSkippedOnDecoding) {
    auto t = load_json(byte_level_fixture());
    EXPECT_EQ(t->encode("<|begin|><|be"), (std::vector<std::int32_t>{261, 262}));
    EXPECT_TRUE(t->is_special(261));
    EXPECT_FALSE(t->is_special(262));
    EXPECT_EQ(t->decode({261, 262, 259}), "<|behello");
    EXPECT_EQ(t->decode({261, 262, 259}, false), "<|begin|><|behello");
}

TEST(ByteLevelBpe, VocabularyIdsMayLeaveGapsButNotRepeat) {
    auto root = byte_level_fixture();
    root["model"]["vocab"]["lo"] = 300;  // ids 260..299 unused, as in GPT-4o's vocabulary
    auto t = load_json(root);
    EXPECT_EQ(t->token(300), "lo");
    EXPECT_EQ(t->token(280), "");
    root["model"]["vocab"]["lo"] = 259;
    try {
        load_json(root);
        FAIL() << "two tokens with one id were accepted";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_TRUE(what.find("share id 259") != std::string::npos && what.find("'hello'") != std::string::npos) << what;
    }
}

TEST(WordPiece, NormalizesLikeBert) {
    WordPieceTokenizer t({{"[UNK]", 0}}, {}, "test");
    EXPECT_EQ(t.normalize("H\xC3\xA9llo\tW\xC3\x96RLD\x01"), "hello world");
    EXPECT_EQ(t.normalize("\xE4\xB8\xAD\xE6\x96\x87"), " \xE4\xB8\xAD  \xE6\x96\x87 ");
}

class SharedTokenizers : public ::testing::Test {
protected:
    void SetUp() override { AMALGAM_REQUIRE_SHARED_DATA(); }
};

TEST_F(SharedTokenizers, Gpt2GoldenEncoding) {
    auto dir = shared_data_dir() / "tokenizers" / "gpt2";
    auto golden = read_json(dir / "gpt2_encoded_tokens.json");
    auto tokenizer = load_tokenizer(dir);
    EXPECT_EQ(tokenizer->kind(), "byte-level BPE");
    EXPECT_EQ(tokenizer->vocab_size(), 50257u);
    std::string text = golden["text"];
    EXPECT_EQ(tokenizer->tokenize(text), golden["bpe_tokens"].get<std::vector<std::string>>());
    auto ids = tokenizer->encode(text);
    EXPECT_EQ(ids, golden["token_ids"].get<std::vector<std::int32_t>>());
    EXPECT_EQ(tokenizer->decode(ids), golden["decoded_text"].get<std::string>());
}

TEST_F(SharedTokenizers, Gpt2SpecialTokenIsMatchedInText) {
    auto tokenizer = load_tokenizer(shared_data_dir() / "tokenizers" / "gpt2");
    auto ids = tokenizer->encode("Hi<|endoftext|>");
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_EQ(ids[1], 50256);
    EXPECT_EQ(tokenizer->decode(ids), "Hi");
    EXPECT_EQ(tokenizer->decode(ids, false), "Hi<|endoftext|>");
}

TEST_F(SharedTokenizers, BertGoldenEncodingFromVocabTxt) {
    auto dir = shared_data_dir() / "tokenizers" / "bert-base-uncased";
    auto golden = read_json(dir / "bert_uncased_encoded.json");
    auto tokenizer = load_tokenizer(dir);
    EXPECT_EQ(tokenizer->kind(), "WordPiece");
    std::string text = golden["text"];
    EXPECT_EQ(tokenizer->tokenize(text), golden["bpe_tokens"].get<std::vector<std::string>>());
    EXPECT_EQ(tokenizer->encode(text), golden["token_ids"].get<std::vector<std::int32_t>>());
}

TEST_F(SharedTokenizers, MiniLmTokenizerJsonMatchesTheSameGolden) {
    auto golden = read_json(shared_data_dir() / "tokenizers" / "bert-base-uncased" / "bert_uncased_encoded.json");
    auto tokenizer = load_tokenizer(shared_data_dir() / "tokenizers" / "all-MiniLM-L6-v2");
    EXPECT_EQ(tokenizer->encode(golden["text"].get<std::string>()), golden["token_ids"].get<std::vector<std::int32_t>>());
    EXPECT_EQ(tokenizer->encode("[MASK]", false), std::vector<std::int32_t>{103});
}

TEST_F(SharedTokenizers, SplitRegexBeforeByteLevelSelectsTheLlama3Pattern) {
    auto root = read_json(shared_data_dir() / "tokenizers" / "gpt2" / "tokenizer.json");
    root["pre_tokenizer"] = {
        {"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"},
           {"pattern", {{"Regex", R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}}},
           {"behavior", "Isolated"},
           {"invert", false}},
          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}};
    test::TempDir dir;
    dir.write("tokenizer.json", root.dump());
    EXPECT_EQ(load_tokenizer(dir.path())->tokenize("1234567"), (std::vector<std::string>{"123", "456", "7"}));
    EXPECT_NE(load_tokenizer(shared_data_dir() / "tokenizers" / "gpt2")->tokenize("1234567"),
              (std::vector<std::string>{"123", "456", "7"}));
}

TEST_F(SharedTokenizers, Gpt2RoundTripsRealText) {
    auto tokenizer = load_tokenizer(shared_data_dir() / "tokenizers" / "gpt2");
    std::size_t lines = 0;
    for (const char* file : {"winogrande/train_xs.jsonl", "oasst1/oasst1-validation-en.jsonl"}) {
        std::ifstream in(shared_data_dir() / file);
        for (std::string line; std::getline(in, line) && lines < 600; ++lines) {
            auto record = nlohmann::json::parse(line);
            std::string text = record.contains("sentence") ? record["sentence"] : record["text"];
            ASSERT_EQ(tokenizer->decode(tokenizer->encode(text)), text) << file;
        }
    }
    EXPECT_EQ(lines, 600u);
}

TEST_F(SharedTokenizers, BertRoundTripsNormalizedWords) {
    auto tokenizer = load_tokenizer(shared_data_dir() / "tokenizers" / "all-MiniLM-L6-v2");
    std::ifstream in(shared_data_dir() / "winogrande/train_xs.jsonl");
    std::string line;
    std::getline(in, line);
    std::string sentence = nlohmann::json::parse(line)["sentence"];
    // "Ian volunteered to eat Dennis's menudo ..." : lower-cased, punctuation split, "##" joined.
    EXPECT_EQ(tokenizer->decode(tokenizer->encode(sentence)),
              "ian volunteered to eat dennis's menudo after already having a bowl because _ despised eating intestine.");
}

/** Golden ids of real tokenizers (tests/core/tokens/NAME.json) on the texts of corpus.json. The
 *  tokenizer is looked for as tokenizers/NAME in the data folders, and must be the file the
 *  ids were made from (its SHA-256 is in the golden file). */
class RealTokenizerGoldens : public ::testing::TestWithParam<std::string> {
protected:
    static std::filesystem::path goldens_dir() { return test::source_dir() / "tests" / "core" / "tokens"; }

    static std::filesystem::path tokenizer_folder(const std::string& name) {
        for (const auto& dir : test::shared_data_candidates())
            if (std::filesystem::exists(dir / "tokenizers" / name / "tokenizer.json")) return dir / "tokenizers" / name;
        return {};
    }

    /// corpus.json's own texts, then, where the public datasets are present, the lines it names.
    static std::vector<std::string> corpus_texts(std::size_t& expected_count) {
        const auto corpus = read_json(goldens_dir() / "corpus.json");
        auto texts = corpus["texts"].get<std::vector<std::string>>();
        expected_count = texts.size();
        const auto data = shared_data_dir();
        for (const auto& source : corpus["data_texts"]) {
            const std::size_t count = source["count"];
            expected_count += count;
            if (data.empty()) continue;
            std::ifstream in(data / source["file"].get<std::string>());
            std::string line;
            for (std::size_t k = 0; k < count && std::getline(in, line); ++k) texts.push_back(nlohmann::json::parse(line)[source["field"].get<std::string>()]);
        }
        return texts;
    }
};

std::vector<std::string> golden_tokenizer_names() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(test::source_dir() / "tests" / "core" / "tokens"))
        if (entry.path().extension() == ".json" && entry.path().stem() != "corpus") names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

TEST_P(RealTokenizerGoldens, EncodesTheCorpusToTheReferenceIds) {
    const std::string name = GetParam();
    const auto golden = read_json(goldens_dir() / (name + ".json"));
    const auto folder = tokenizer_folder(name);
    if (folder.empty())
        GTEST_SKIP() << "no tokenizers/" << name << " in the data folders: put the tokenizer.json and tokenizer_config.json of "
                     << golden["model"].get<std::string>() << " there to check it";
    const std::string sha = file_sha256(folder / "tokenizer.json");
    if (sha != golden["tokenizer_json_sha256"])
        GTEST_SKIP() << (folder / "tokenizer.json").string() << " is another version (SHA-256 " << sha << ") than the golden ids were made from";
    std::size_t expected_count = 0;
    const auto texts = corpus_texts(expected_count);
    const auto& ids = golden["ids"];
    ASSERT_EQ(ids.size(), expected_count);
    const auto tokenizer = load_tokenizer(folder);
    for (std::size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(tokenizer->encode(texts[i]), ids[i].get<std::vector<std::int32_t>>()) << "text " << i << ": " << texts[i];
}

INSTANTIATE_TEST_SUITE_P(Tokens, RealTokenizerGoldens, ::testing::ValuesIn(golden_tokenizer_names()), [](const auto& info) {
    std::string name = info.param;
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return name;
});

}  // namespace
}  // namespace amalgam
