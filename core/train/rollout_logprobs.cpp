#include "core/train/rollout_logprobs.h"

namespace amalgam {

RolloutLogprobs rollout_logprobs(const TransformerModel& model, const RolloutBatch& batch, const at::Tensor& rows, bool with_entropy) {
    const at::Tensor ids = batch.ids.index_select(0, rows), mask = batch.mask.index_select(0, rows);
    const std::int64_t prompt = batch.prompt_width, response = ids.size(1) - prompt;
    // Response token k sits at column prompt + k and is predicted from the column before it.
    RolloutLogprobs out;
    out.hidden = model.hidden_states(ids, mask).slice(1, prompt - 1, prompt - 1 + response);
    const at::Tensor logits = model.lm_head(out.hidden).to(widened_type(model.dtype()));
    const at::Tensor targets = ids.slice(1, prompt, prompt + response).unsqueeze(-1);
    const at::Tensor normaliser = logits.logsumexp(-1);
    out.logprobs = logits.gather(2, targets).squeeze(-1) - normaliser;
    if (with_entropy) out.entropy = (normaliser - (at::softmax(logits, -1) * logits).sum(-1)).detach();
    return out;
}

}  // namespace amalgam
