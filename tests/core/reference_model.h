#pragma once

#include <filesystem>
#include <vector>

namespace amalgam::test {

/** A deliberately plain implementation of the supported architectures: loops over float
 *  vectors, one sequence, no padding and no cache, read straight from config.json and
 *  model.safetensors. It shares no code with the engine and is the reference for parity. */
class ReferenceModel {
public:
    explicit ReferenceModel(const std::filesystem::path& dir);
    ~ReferenceModel();

    /** Logits [tokens][vocab] of a causal model. */
    std::vector<std::vector<float>> logits(const std::vector<int>& ids) const;
    /** Mean-pooled, L2-normalised embedding of an encoder. */
    std::vector<float> sentence_embedding(const std::vector<int>& ids) const;

private:
    struct Impl;
    Impl* impl_;
};

}  // namespace amalgam::test
