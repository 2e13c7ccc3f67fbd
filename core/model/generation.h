#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/scoring.h"
#include "core/model/stop_reason.h"
#include "core/tokenize/tokenizer.h"
#include "core/model/transformer.h"

namespace amalgam {

struct GenerationOptions {
    int max_new_tokens = 32;
    bool greedy = true;        ///< otherwise sample with the settings below
    double temperature = 1.0;
    int top_k = 0;             ///< 0: no limit
    double top_p = 1.0;        ///< nucleus: the smallest set of tokens whose probability reaches top_p
    std::uint64_t seed = 0;
    std::vector<std::int32_t> stop_tokens;  ///< besides the model's end-of-sequence token
    bool stop_at_eos = true;                ///< false: the model's end-of-sequence token is a token like any other
    std::vector<std::string> stop_strings;  ///< the text is cut before the first one
    bool logprobs = false;                  ///< also return each new token's log-probability (rollouts)
};

struct Generation {
    std::vector<std::int32_t> tokens;  ///< new tokens, the stop token excluded
    /// With GenerationOptions::logprobs: log p of each new token under the distribution it was
    /// drawn from (the model's, at the sampling temperature, before top-k and top-p), what PPO
    /// calls the old policy's.
    std::vector<double> logprobs;
    std::string text;
    std::optional<StopReason> stop_reason;  ///< nullopt while it goes on
    std::int32_t stop_token = -1;      ///< the token that ended it, for StopToken
    double stop_logprob = 0;           ///< its log-probability, with GenerationOptions::logprobs
};

/** Each row's next token from logits [batch, vocab] (float32) and one uniform draw in [0, 1)
 *  per row (float64): after the temperature, the `top_k` most likely tokens, then the smallest
 *  set of those whose probability reaches `top_p`, and in it the first token at which the
 *  running probability reaches u times their total. The running probability goes from the most
 *  likely token down (ties: the lower id first) where top_k or top_p keeps fewer than all, and
 *  in id order where every token stays (as PPO samples), which needs no sort. It runs on the
 *  logits' device without waiting for the host; the draws come from the caller's seeded
 *  generator, so that a seed means the same draws on every device and libtorch version. */
at::Tensor sample_tokens(const at::Tensor& logits, const at::Tensor& uniform, const GenerationOptions& options);

/** Continues every prompt, batched with left padding and a preallocated KV cache: one forward
 *  pass over the prompts, then one single-token step per new token, which on CUDA is recorded
 *  once as a graph and replayed. Tokens come back to the host every few steps (every step on
 *  the CPU), where stops are found. Same seed, same output. Only ids
 *  the tokenizer has are chosen, where the model's vocabulary is padded beyond it. */
std::vector<Generation> generate(const TransformerModel& model, const Tokenizer& tokenizer,
                                 const std::vector<std::string>& prompts, const GenerationOptions& options);

/** The same from token ids. Without a tokenizer there is no text, no stop strings, and every
 *  id of the model's vocabulary may be chosen. */
std::vector<Generation> generate_from_ids(const TransformerModel& model, const std::vector<std::vector<std::int32_t>>& prompts,
                                          const GenerationOptions& options, const Tokenizer* tokenizer = nullptr);

/** A batch of rollouts as a reinforcement-learning trainer reads it. Every row is its prompt,
 *  left-padded to `prompt_width`, then its response, right-padded; a response that a stop
 *  token ended keeps that token, so that the policy learns to stop. */
struct RolloutBatch {
    at::Tensor ids;            ///< [batch, prompt_width + longest response], int64
    at::Tensor mask;           ///< 1 for every real token
    at::Tensor response_mask;  ///< 1 for the response's tokens
    at::Tensor logprobs;       ///< float32: each response token's log-probability as drawn (0 elsewhere)
    std::int64_t prompt_width = 0;
    std::vector<Generation> generations;
};

/** Generates from every prompt and returns the batch in one call, with the log-probabilities
 *  of the distribution each token was drawn from: no second forward pass is needed for them. */
RolloutBatch generate_rollouts(const TransformerModel& model, const std::vector<std::vector<std::int32_t>>& prompts,
                               GenerationOptions options, const Tokenizer* tokenizer = nullptr);

}  // namespace amalgam
