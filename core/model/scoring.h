#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "core/tokenize/tokenizer.h"
#include "core/model/transformer.h"

namespace amalgam {

/** Log-probabilities of continuation tokens given a context, teacher-forced. */
struct ContinuationScore {
    std::vector<std::int32_t> context_ids;
    std::vector<std::int32_t> continuation_ids;
    std::vector<double> logprobs;  ///< natural log, one per continuation token
    double total = 0;
};

/** A context and the continuations to score after it, as token ids. */
struct ScoringRequest {
    std::vector<std::int32_t> context;
    std::vector<std::vector<std::int32_t>> continuations;
};

/** What scoring one context gives: each continuation's token log-probabilities and, when
 *  asked for, the whole next-token distribution after the context (log-probabilities). */
struct ScoredContext {
    std::vector<std::vector<double>> logprobs;  ///< per continuation, per token
    std::vector<float> next_logprobs;           ///< [vocab], or empty
};

/** Told how many requests (or pairs) are scored so far, after each batch. */
using ScoredSoFar = std::function<void(std::size_t done)>;

/** Scores every request, `batch_size` sequences at a time. Each context runs once: its keys
 *  and values are kept and shared by all its continuations, whose first tokens are read from
 *  the context's last position, so single-token continuations cost nothing more. The language
 *  model head runs only at the positions that are scored. */
std::vector<ScoredContext> score_requests(const TransformerModel& model, const std::vector<ScoringRequest>& requests,
                                          std::size_t batch_size, bool next_distribution = false, const ScoredSoFar& scored_so_far = {});

/** How a context becomes the ids scoring reads before its continuations. */
using ContextEncoder = std::function<std::vector<std::int32_t>(const std::string& context)>;

/** Scores (context, continuation) text pairs: the context is tokenized with the model's
 *  special tokens (or by `encode_context`), the continuation without; pairs with the same
 *  context share its pass. */
std::vector<ContinuationScore> score_continuations(const TransformerModel& model, const Tokenizer& tokenizer,
                                                   const std::vector<std::pair<std::string, std::string>>& pairs,
                                                   std::size_t batch_size = 16, const ScoredSoFar& scored_so_far = {},
                                                   const ContextEncoder& encode_context = {});

/** Ids as a padded batch: [batch, longest] ids and the matching mask. Causal models take
 *  left padding (new tokens line up at the end); encoders right padding (positions from 0). */
std::pair<at::Tensor, at::Tensor> padded_batch(const std::vector<std::vector<std::int32_t>>& sequences, std::int32_t pad_id,
                                               bool pad_left = true);

/** The id a model pads with: its pad token, else its end-of-text token, else 0. */
std::int32_t pad_id(const TransformerModel& model);

}  // namespace amalgam
