#pragma once

#include <optional>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "core/model_io/model_init.h"
#include "test_support.h"

namespace amalgam::test {

inline at::Tensor ids_tensor(const std::vector<int>& ids) {
    std::vector<std::int64_t> wide(ids.begin(), ids.end());
    return at::tensor(wide, at::kLong).unsqueeze(0);
}

/** A random-weight model written by `model init` code, in a temporary folder. */
struct TinyModel {
    TempDir dir;
    TinyModel(ModelType type, std::optional<ModelConfig> config = std::nullopt, std::uint64_t seed = 1) {
        ModelInitOptions options;
        options.type = type;
        options.seed = seed;
        options.config = std::move(config);
        init_random_model(dir.path(), options);
    }
};

/** ChatML turns: the chat template of ChatModel. */
inline const char* const kChatMlTemplate =
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** A tiny model whose byte-level tokenizer has ChatML's turn markers as special tokens
 *  (<|im_start|> 257, <|im_end|> 258) and whose tokenizer_config.json brings kChatMlTemplate. */
struct ChatModel {
    TempDir tokenizer, dir;
    explicit ChatModel(ModelType type = ModelType::Qwen3, const std::string& preset = "tiny") {
        init_random_model(tokenizer / "plain", {});
        auto json = nlohmann::json::parse(read_text(tokenizer / "plain" / "tokenizer.json"));
        for (const auto& [id, content] : {std::pair{257, "<|im_start|>"}, std::pair{258, "<|im_end|>"}})
            json["added_tokens"].push_back({{"id", id}, {"content", content}, {"special", true}, {"single_word", false}, {"lstrip", false},
                                            {"rstrip", false}, {"normalized", false}});
        tokenizer.write("tokenizer.json", json.dump());
        ModelInitOptions options;
        options.type = type;
        options.preset = preset;
        options.seed = 1;
        options.tokenizer = tokenizer.path();
        init_random_model(dir.path(), options);
        dir.write("tokenizer_config.json", nlohmann::json{{"chat_template", kChatMlTemplate}, {"eos_token", "<|im_end|>"}}.dump());
    }
};

/** A sequence of byte-tokenizer ids, the end-of-text token (256) among them. */
inline const std::vector<int> kIds = {5, 72, 101, 33, 256, 9, 0, 180, 44, 12, 7, 99};

}  // namespace amalgam::test
