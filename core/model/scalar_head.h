#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "core/model_io/safetensors.h"

namespace amalgam {

/** A linear map from a hidden state to one number, read at the last real token: the reward
 *  model's score head (Hugging Face *ForSequenceClassification names it "score") and PPO's
 *  value head (TRL names it "v_head.summary"). Saved and loaded by that name. */
struct ScalarHead {
    std::string name;
    at::Tensor weight;  ///< [1, hidden]
    at::Tensor bias;    ///< [1], or undefined for a head without one (HF "score")

    /** A fresh head: weight ~ N(0, 1 / (hidden + 1)) from the seed, bias zero. */
    static ScalarHead create(const std::string& name, std::int64_t hidden, bool with_bias, std::uint64_t seed);
    /** The head named `name` in a safetensors file; errors name the file and the tensor. */
    static ScalarHead load(const SafetensorsFile& file, const std::string& name, std::int64_t hidden);

    /** One value per sequence from hidden states [batch, tokens, hidden], taken at the last
     *  position whose mask is 1 (left or right padding alike). */
    at::Tensor at_last_token(const at::Tensor& hidden, const at::Tensor& mask) const;
    /** Values at every position [batch, tokens] (PPO's per-token values). */
    at::Tensor per_token(const at::Tensor& hidden) const;

    /** The tensors to write, named "<name>.weight" and "<name>.bias". */
    std::vector<TensorData> tensors() const;
};

}  // namespace amalgam
