#pragma once

#include <ATen/ATen.h>

#include "core/model/generation.h"
#include "core/model/transformer.h"

namespace amalgam {

/** Rows of a rollout batch as the model (with its active adapter) sees them now, per response
 *  token [rows, response width]: the token's log-probability and, when asked, the entropy of
 *  the distribution it is drawn from; and the hidden states that predict them. */
struct RolloutLogprobs {
    at::Tensor logprobs, entropy, hidden;
};
RolloutLogprobs rollout_logprobs(const TransformerModel& model, const RolloutBatch& batch, const at::Tensor& rows, bool with_entropy);

}  // namespace amalgam
