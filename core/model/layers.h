#pragma once

#include <ATen/ATen.h>

#include "core/model_io/model_config.h"

namespace amalgam::layers {

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);
at::Tensor layer_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps);
/** The activation a config names: silu, gelu (erf), gelu_new / gelu_pytorch_tanh (tanh). */
at::Tensor activation(const at::Tensor& x, Activation a);

/** Positions of the new tokens from a left-padded mask [batch, past + new]: the count of real
 *  tokens before each one, so that padding moves no sequence. Returns [batch, new]. */
at::Tensor positions_from_mask(const at::Tensor& mask, std::int64_t new_tokens);

/** Additive attention bias [batch, 1, new, past + new] in `dtype`: 0 where a query may look,
 *  a large negative number where the key is padding or (causal) in the future (-1e30, or
 *  float16's lowest). Finite, so that a row with no key to look at (a padding query) stays
 *  finite too: otherwise its NaN would reach real tokens through zero attention weights. */
at::Tensor attention_bias(const at::Tensor& mask, std::int64_t new_tokens, bool causal, at::ScalarType dtype);

/** softmax(q k^T / sqrt(d) + bias) v for [batch, heads, tokens, head_dim]; k and v may have
 *  fewer heads (grouped-query attention), each shared by consecutive query heads, and are read
 *  in place wherever the kernel allows. An undefined bias means causal attention over as many
 *  keys as queries. */
at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& bias);

/** The cos and sin of every rotary angle at positions [batch, tokens], each [batch, 1, tokens,
 *  head_dim] in `dtype`: computed once per forward pass, in float32 as the reference does,
 *  with the config's RoPE scaling. The sin's first half is negated, as rotate_half negates. */
struct RotaryTable {
    at::Tensor cos, sin_signed;
};
RotaryTable rotary_table(const at::Tensor& positions, const at::Tensor& inverse_frequencies, at::ScalarType dtype);
/** The inverse frequencies [head_dim / 2] (float32) of the config's RoPE variant, the table's
 *  angles per position: made once for a model, as they depend on its config alone. */
at::Tensor inverse_frequencies(const ModelConfig& config, const at::TensorOptions& options);

/** Rotary position embedding of [batch, heads, tokens, head_dim] (Hugging Face's rotate_half layout). */
at::Tensor rotary(const at::Tensor& x, const RotaryTable& table);

/** [batch, tokens, heads * head_dim] <-> [batch, heads, tokens, head_dim]. */
at::Tensor split_heads(const at::Tensor& x, std::int64_t heads);
at::Tensor merge_heads(const at::Tensor& x);

}  // namespace amalgam::layers
