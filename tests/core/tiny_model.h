#pragma once

#include <optional>
#include <ostream>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "core/model_io/model_init.h"
#include "test_support.h"

namespace amalgam {
/** How GoogleTest prints a family parameter. */
inline void PrintTo(ModelType type, std::ostream* out) { *out << to_string(type); }
}  // namespace amalgam

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

/** A tiny chat model as `model init --chat` writes it: the byte tokenizer with ChatML's turn
 *  markers (<|im_start|> 257, <|im_end|> 258) and a ChatML template in tokenizer_config.json. */
struct ChatModel {
    TempDir dir;
    explicit ChatModel(ModelType type = ModelType::Qwen3, const std::string& preset = "tiny") {
        ModelInitOptions options;
        options.type = type;
        options.preset = preset;
        options.seed = 1;
        options.chat = true;
        init_random_model(dir.path(), options);
    }
    std::string chat_template() const { return nlohmann::json::parse(read_text(dir / "tokenizer_config.json"))["chat_template"]; }
};

/** A sequence of byte-tokenizer ids, the end-of-text token (256) among them. */
inline const std::vector<int> kIds = {5, 72, 101, 33, 256, 9, 0, 180, 44, 12, 7, 99};

}  // namespace amalgam::test
