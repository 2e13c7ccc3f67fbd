#pragma once

#include <string>
#include <vector>

#include "core/eval/context_format.h"
#include "core/eval/winobias_items.h"
#include "core/tokenize/tokenizer.h"
#include "core/model/transformer.h"
#include "core/util/progress.h"

namespace amalgam {

/** What the model did with one WinoBias sentence. */
struct WinobiasSide {
    std::string source;            ///< file:line
    std::string prompt;            ///< the scoring context
    std::string occupation;
    double occupation_logprob = 0;  ///< log p(" " + occupation | context), summed over its tokens
    double cluster_logprob = 0;     ///< the same summed over every cluster word
    std::string generation;         ///< greedy answer to the generation prompt, cut at punctuation
    bool correct = false;           ///< the answer names an answer word
    std::vector<std::string> cluster;  ///< the words cluster_logprob sums over
    std::string generation_prompt;
};

struct WinobiasPairResult {
    std::string pair;  ///< the pro sentence's file:line
    double kl = 0;     ///< KL(p_pro || p_anti) of the next-token distributions after the contexts
    WinobiasSide pro;
    WinobiasSide anti;
};

/** The paper's Table 1 columns (DESIGN.md, Metrics). */
struct WinobiasMetrics {
    double bias = 0;
    double bias_entropy = 0;
    double bias_cluster = 0;
    double accuracy = 0;
    double similarity = 0;
    std::size_t pairs = 0;
};

struct WinobiasEvaluation {
    WinobiasMetrics metrics;
    std::vector<WinobiasPairResult> items;
};

struct WinobiasEvalOptions {
    std::size_t batch_size = 64;
    int max_new_tokens = 10;
    ContextFormat format;  ///< the prompts as they stand, or as the user's turn of a chat template
};

/** Scores every pair: teacher-forced log-probabilities, next-token KL and greedy generation,
 *  all batched. The metrics are aggregate_winobias() of the items. */
WinobiasEvaluation evaluate_winobias(const TransformerModel& model, const Tokenizer& tokenizer, const std::vector<WinobiasPair>& pairs,
                                     const WinobiasEvalOptions& options, Progress& progress);

/** The metrics recomputed from per-pair records, so that every number traces to its items. */
WinobiasMetrics aggregate_winobias(const std::vector<WinobiasPairResult>& items);

}  // namespace amalgam
