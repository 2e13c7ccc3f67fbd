#pragma once

#include <optional>
#include <vector>

#include <ATen/ATen.h>

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

/** A sequence of byte-tokenizer ids, the end-of-text token (256) among them. */
inline const std::vector<int> kIds = {5, 72, 101, 33, 256, 9, 0, 180, 44, 12, 7, 99};

}  // namespace amalgam::test
