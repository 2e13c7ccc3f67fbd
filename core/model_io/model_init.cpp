#include "core/model_io/model_init.h"

#include <cmath>
#include <vector>
#include <fstream>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/model_io/arch_table.h"
#include "core/model_io/safetensors.h"
#include "core/tokenize/tokenizer.h"
#include "core/tokenize/unicode.h"
#include "core/util/atomic_file.h"

namespace amalgam {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/** Normal draws from a seeded 64-bit Mersenne Twister by Box-Muller, the same everywhere. */
class Normal {
public:
    explicit Normal(std::uint64_t seed) : rng_(seed) {}
    float operator()(float stddev) {
        double u1 = (static_cast<double>(rng_() >> 11) + 1.0) / 9007199254740993.0;  // (0, 1]
        double u2 = static_cast<double>(rng_() >> 11) / 9007199254740992.0;
        return static_cast<float>(stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
    }

private:
    std::mt19937_64 rng_;
};

/** ChatML turns, the chat template of `model init --chat` models. */
const char* const kChatMlTemplate =
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

json added_token(int id, const std::string& content) {
    return {{"id", id}, {"content", content}, {"special", true}, {"single_word", false},
            {"lstrip", false}, {"rstrip", false}, {"normalized", false}};
}

/** Byte-level BPE over the 256 bytes and no merges, with an end-of-text token (and with `chat`
 *  ChatML's turn markers): any text encodes, nothing needs training. */
json byte_level_tokenizer_json(bool chat) {
    json vocab = json::object();
    int next = 0;
    for (int b = 0; b < 256; ++b) {
        bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        std::string s;
        unicode::append_utf8(s, printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + next++));
        vocab[s] = b;
    }
    vocab["<|endoftext|>"] = 256;
    json added = {added_token(256, "<|endoftext|>")};
    if (chat) {
        added.push_back(added_token(257, "<|im_start|>"));
        added.push_back(added_token(258, "<|im_end|>"));
    }
    return {{"version", "1.0"},
            {"added_tokens", added},
            {"normalizer", nullptr},
            {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
            {"post_processor", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}}},
            {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
            {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", ""},
                       {"end_of_word_suffix", ""}, {"fuse_unk", false}, {"byte_fallback", false}, {"vocab", vocab},
                       {"merges", json::array()}}}};
}

/** WordPiece over single ASCII characters with their "##" continuations, for BERT models. */
std::string ascii_wordpiece_vocab() {
    std::string out = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
    for (char c = '!'; c <= '~'; ++c) {
        if (c >= 'A' && c <= 'Z') continue;  // the tokenizer lower-cases
        out += std::string(1, c) + "\n";
    }
    for (char c = '!'; c <= '~'; ++c) {
        if (c >= 'A' && c <= 'Z') continue;
        out += "##" + std::string(1, c) + "\n";
    }
    return out;
}

bool is_norm_weight(const std::string& name) {
    return name.find("norm") != std::string::npos || name.find("ln_") != std::string::npos || name.find("LayerNorm") != std::string::npos;
}

}  // namespace

namespace {

/** The decoder features of a tiny or small model of `type`, each at a setting that shows: a
 *  window narrower than a test's text, explicit head sizes, a partial rotary embedding,
 *  LongRoPE's switch within the context, a NoPE layer. */
void add_family_features(ModelConfig& c) {
    DecoderFeatures& d = c.decoder;
    auto every_layer = [&](bool value) { return std::vector<bool>(static_cast<std::size_t>(c.num_layers), value); };
    auto alternating = [&]() {  // sliding, full, sliding, full, ...
        std::vector<bool> out;
        for (std::int64_t i = 0; i < c.num_layers; ++i) out.push_back(i % 2 == 0);
        return out;
    };
    switch (c.type) {
        case ModelType::Llama:
        case ModelType::Gpt2:
        case ModelType::Bert: break;
        case ModelType::Qwen2:
            d.qkv_bias = true;
            c.tie_word_embeddings = true;
            c.rope.theta = 1000000.0;
            break;
        case ModelType::Qwen3:
            d.qk_norm = QkNorm::PerHead;
            c.head_size = 2 * c.hidden_size / c.num_heads;  // as Qwen3's 128 beside 1024 / 16
            c.tie_word_embeddings = true;
            c.rope.theta = 1000000.0;
            break;
        case ModelType::Mistral:
            d.sliding_window = 4;
            d.sliding_layers = every_layer(true);
            break;
        case ModelType::Gemma2:
        case ModelType::Gemma3:
            d.norms = NormPlacement::Around;
            d.norm_plus_one = d.scaled_embeddings = true;
            c.hidden_act = Activation::GeluTanh;
            c.tie_word_embeddings = true;
            c.head_size = c.hidden_size / c.num_heads;  // written out: Gemma's configs default to 256
            d.query_pre_attn_scalar = 24;            // not the head size, so that the scalar shows
            d.sliding_window = 4;
            d.sliding_layers = alternating();
            if (c.type == ModelType::Gemma2) {
                d.attn_logit_softcapping = 50.0;
                d.final_logit_softcapping = 30.0;
            } else {
                d.qk_norm = QkNorm::PerHead;
                c.rope = Rope{RopeType::Linear, 1000000.0, 8.0};
                d.sliding_rope = Rope{};
            }
            break;
        case ModelType::Phi3: {
            d.fused_projections = true;
            d.partial_rotary_factor = 0.75;
            const std::int64_t frequencies = c.rotary_dim() / 2;
            c.rope.type = RopeType::LongRope;
            c.rope.original_max_position_embeddings = c.max_positions / 2;
            c.rope.factor = 2.0;
            c.rope.attention_factor = std::sqrt(1 + std::log(c.rope.factor) / std::log(double(c.rope.original_max_position_embeddings)));
            for (std::int64_t i = 0; i < frequencies; ++i) {
                c.rope.short_factor.push_back(1.0 + 0.1 * double(i));
                c.rope.long_factor.push_back(2.0 + 0.5 * double(i));
            }
            break;
        }
        case ModelType::Olmo2:
            d.norms = NormPlacement::After;
            d.qk_norm = QkNorm::Whole;
            c.rope.theta = 500000.0;
            break;
        case ModelType::SmolLM3:
            d.rope_layers = alternating();  // rotary, NoPE, ...
            c.tie_word_embeddings = true;
            break;
    }
}

}  // namespace

ModelConfig preset_config(ModelType type, const std::string& preset) {
    if (preset != "tiny" && preset != "small") throw std::invalid_argument("preset must be tiny or small, not '" + preset + "'");
    const bool small = preset == "small";
    ModelConfig c;
    c.type = type;
    switch (type) {
        case ModelType::Gpt2:
            c.family = ModelFamily::Gpt2;
            c.hidden_size = small ? 256 : 64;
            c.num_layers = small ? 4 : 2;
            c.num_heads = small ? 8 : 4;
            c.num_kv_heads = c.num_heads;
            c.intermediate_size = 4 * c.hidden_size;
            c.max_positions = small ? 1024 : 512;
            c.hidden_act = Activation::GeluTanh;
            c.tie_word_embeddings = true;
            break;
        case ModelType::Bert:  // small has the all-MiniLM-L6-v2 shape
            c.family = ModelFamily::Bert;
            c.hidden_size = small ? 384 : 64;
            c.num_layers = small ? 6 : 2;
            c.num_heads = small ? 12 : 4;
            c.num_kv_heads = c.num_heads;
            c.intermediate_size = small ? 1536 : 128;
            c.max_positions = 512;
            c.type_vocab_size = 2;
            c.norm_eps = 1e-12;
            c.hidden_act = Activation::Gelu;
            break;
        default:
            c.family = ModelFamily::Llama;
            c.hidden_size = small ? 256 : 64;
            c.num_layers = small ? 4 : 2;
            c.num_heads = small ? 8 : 4;
            c.num_kv_heads = small ? 4 : 2;
            c.intermediate_size = small ? 688 : 172;
            c.max_positions = small ? 1024 : 512;
            c.norm_eps = 1e-6;
            add_family_features(c);
            break;
    }
    c.architecture = default_architecture(type);
    return c;
}

void init_random_model(const fs::path& out_dir, const ModelInitOptions& options) {
    ModelConfig config = options.config ? *options.config : preset_config(options.type, options.preset);
    if (options.chat && (options.tokenizer || config.family == ModelFamily::Bert))
        throw std::invalid_argument("a chat template comes with the built-in byte tokenizer of a causal model, not with --tokenizer or bert");
    if (!options.replace && fs::is_directory(out_dir) && !fs::is_empty(out_dir))
        throw std::invalid_argument(out_dir.string() + " is not empty: --force replaces what it holds");
    OutputFolder folder(out_dir, [&](const std::string&) { return options.replace; });
    if (options.tokenizer) {
        fs::path source = fs::exists(*options.tokenizer / "tokenizer.json") ? *options.tokenizer / "tokenizer.json"
                                                                            : *options.tokenizer / "vocab.txt";
        if (!fs::exists(source)) throw std::runtime_error(options.tokenizer->string() + ": no tokenizer.json or vocab.txt");
        load_tokenizer(*options.tokenizer);  // a tokenizer that does not load is refused as the user named it
        // The files beside it that belong to it: special tokens and the chat template.
        for (const fs::path& file : {source, *options.tokenizer / "tokenizer_config.json", *options.tokenizer / "special_tokens_map.json",
                                     *options.tokenizer / "chat_template.jinja"})
            if (fs::exists(file)) {
                std::ifstream in(file, std::ios::binary);
                folder.write(file.filename(), std::string(std::istreambuf_iterator<char>(in), {}));
            }
    } else if (config.family == ModelFamily::Bert) {
        folder.write("vocab.txt", ascii_wordpiece_vocab());
    } else {
        folder.write("tokenizer.json", byte_level_tokenizer_json(options.chat).dump(2) + "\n");
        if (options.chat)
            folder.write("tokenizer_config.json",
                         json{{"bos_token", "<|endoftext|>"}, {"eos_token", "<|im_end|>"}, {"chat_template", kChatMlTemplate}}.dump(2) + "\n");
    }
    // The vocabulary size comes from the tokenizer as written (one that does not load stops here, nothing written).
    auto tokenizer = load_tokenizer(folder.staging());
    config.vocab_size = static_cast<std::int64_t>(tokenizer->vocab_size()) + options.padded_rows;
    if (config.family != ModelFamily::Bert) {
        auto eos = tokenizer->token_id("<|endoftext|>");
        if (!eos) eos = tokenizer->token_id("</s>");
        if (eos) config.bos_token_id = config.eos_token_id = *eos;
    } else {
        config.pad_token_id = tokenizer->token_id("[PAD]").value_or(0);
    }

    Normal normal(options.seed);
    std::vector<TensorData> tensors;
    for (const TensorSpec& spec : tensor_specs(config)) {
        if (spec.optional) continue;
        std::int64_t n = 1;
        for (auto d : spec.shape) n *= d;
        std::vector<float> values(static_cast<std::size_t>(n));
        // Norm weights near one and everything else small, so that a mix-up of weights shows.
        bool norm = is_norm_weight(spec.name) && spec.name.find("bias") == std::string::npos;
        for (float& v : values) v = norm ? 1.0f + normal(0.1f) : normal(0.02f);
        std::string prefix = name_prefixes(config).front();
        std::string name = spec.name == "lm_head.weight" ? spec.name : prefix + spec.name;
        tensors.push_back({name, DType::F32, spec.shape, std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4)});
    }
    folder.write("model.safetensors", encode_safetensors(tensors, {{"format", "pt"}}));
    folder.write("config.json", config.to_json().dump(2) + "\n");
    folder.commit();
}

}  // namespace amalgam
