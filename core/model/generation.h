#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/tokenizer.h"
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
    std::vector<std::string> stop_strings;  ///< the text is cut before the first one
};

struct Generation {
    std::vector<std::int32_t> tokens;  ///< new tokens, the stop token excluded
    std::string text;
    std::string stop_reason;           ///< "stop_token", "stop_string" or "length"
};

/** Continues every prompt, batched with left padding and a KV cache: one forward pass over
 *  the prompts, then one single-token pass per new token. Same seed, same output. Only ids
 *  the tokenizer has are chosen, where the model's vocabulary is padded beyond it. */
std::vector<Generation> generate(const TransformerModel& model, const Tokenizer& tokenizer,
                                 const std::vector<std::string>& prompts, const GenerationOptions& options);

/** The same from token ids. Without a tokenizer there is no text, no stop strings, and every
 *  id of the model's vocabulary may be chosen. */
std::vector<Generation> generate_from_ids(const TransformerModel& model, const std::vector<std::vector<std::int32_t>>& prompts,
                                          const GenerationOptions& options, const Tokenizer* tokenizer = nullptr);

/** Log-probabilities of continuation tokens given a context, teacher-forced. */
struct ContinuationScore {
    std::vector<std::int32_t> context_ids;
    std::vector<std::int32_t> continuation_ids;
    std::vector<double> logprobs;  ///< natural log, one per continuation token
    double total = 0;
};

/** Scores many (context, continuation) pairs in batches of `batch_size`. The context is
 *  tokenized with the model's special tokens, the continuation without; the first
 *  continuation token is predicted from the last context position. */
std::vector<ContinuationScore> score_continuations(const TransformerModel& model, const Tokenizer& tokenizer,
                                                   const std::vector<std::pair<std::string, std::string>>& pairs,
                                                   std::size_t batch_size = 16);

/** The next-token logits [contexts, vocab] after each context (float32, on the CPU). */
at::Tensor next_token_logits(const TransformerModel& model, const Tokenizer& tokenizer, const std::vector<std::string>& contexts,
                             std::size_t batch_size = 16);

/** Ids as a padded batch: [batch, longest] ids and the matching mask. Causal models take
 *  left padding (new tokens line up at the end); encoders right padding (positions from 0). */
std::pair<at::Tensor, at::Tensor> padded_batch(const std::vector<std::vector<std::int32_t>>& sequences, std::int32_t pad_id,
                                               bool pad_left = true);

}  // namespace amalgam
