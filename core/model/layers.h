#pragma once

#include <ATen/ATen.h>

#include "core/model_io/model_config.h"

namespace amalgam::layers {

/** RMSNorm scaled by `weight`, or by (1 + weight) in float32 with `plus_one` (Gemma's). */
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps, bool plus_one = false);
at::Tensor layer_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps);
/** The activation a config names: silu, gelu (erf), gelu_new / gelu_pytorch_tanh (tanh). */
at::Tensor activation(const at::Tensor& x, Activation a);

/** Positions of the new tokens from a left-padded mask [batch, past + new]: the count of real
 *  tokens before each one, so that padding moves no sequence. Returns [batch, new]. */
at::Tensor positions_from_mask(const at::Tensor& mask, std::int64_t new_tokens);

/** Additive attention bias [batch, 1, new, past + new] in `dtype`: 0 where a query may look,
 *  a large negative number where the key is padding, (causal) in the future, or (with a
 *  `window`) `window` or more positions back, positions counting real tokens only (-1e30, or
 *  float16's lowest). Finite, so that a row with no key to look at (a padding query) stays
 *  finite too: otherwise its NaN would reach real tokens through zero attention weights. */
at::Tensor attention_bias(const at::Tensor& mask, std::int64_t new_tokens, bool causal, at::ScalarType dtype, std::int64_t window = 0);

/** How attention scores are scaled: by `scale` (0: 1 / sqrt(head_dim)), then, with a `softcap`
 *  c, capped to c tanh(s / c) (Gemma 2). */
struct ScoreScaling {
    double scale = 0;
    double softcap = 0;
};

/** softmax(q k^T / sqrt(d) + bias) v for [batch, heads, tokens, head_dim]; k and v may have
 *  fewer heads (grouped-query attention), each shared by consecutive query heads, and are read
 *  in place wherever the kernel allows. An undefined bias means causal attention over as many
 *  keys as queries. */
at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& bias, const ScoreScaling& scaling = {});

/** The cos and sin of every rotary angle at positions [batch, tokens], each [batch, 1, tokens,
 *  rotary_dim] in `dtype`: computed once per forward pass, in float32 as the reference does,
 *  times the variant's attention factor. The sin's first half is negated, as rotate_half
 *  negates. */
struct RotaryTable {
    at::Tensor cos, sin_signed;
};

/** A model's rotary embedding: the inverse frequencies of its RoPE variant over the leading
 *  `dim` dimensions of a head, made once for a model. Where they depend on a text's length
 *  (dynamic NTK, LongRoPE: its longest position), a forward pass picks them on the device, so
 *  that a recorded decoding step replays the choice too. */
class Rotary {
public:
    Rotary() = default;
    Rotary(const Rope& rope, std::int64_t dim, std::int64_t max_positions, const at::TensorOptions& options);
    RotaryTable table(const at::Tensor& positions, at::ScalarType dtype) const;
    bool defined() const { return inverse_.defined(); }

private:
    /** The inverse frequencies [dim / 2] (float32) for a text whose longest position is
     *  `longest` - 1 (a device scalar), or the fixed ones. */
    at::Tensor frequencies(const at::Tensor& longest) const;
    Rope rope_;
    std::int64_t dim_ = 0, max_positions_ = 0;
    at::Tensor inverse_;       ///< the fixed frequencies; LongRoPE's short ones
    at::Tensor long_inverse_;  ///< LongRoPE's beyond the original context
};

/** Rotary position embedding of [batch, heads, tokens, head_dim] (Hugging Face's rotate_half
 *  layout) over the table's leading dimensions; the rest of each head passes unchanged. */
at::Tensor rotary(const at::Tensor& x, const RotaryTable& table);

/** [batch, tokens, heads * head_dim] <-> [batch, heads, tokens, head_dim]. */
at::Tensor split_heads(const at::Tensor& x, std::int64_t heads);
at::Tensor merge_heads(const at::Tensor& x);

}  // namespace amalgam::layers
