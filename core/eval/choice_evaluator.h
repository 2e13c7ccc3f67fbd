#pragma once

#include <string>
#include <vector>

#include "core/eval/choice_items.h"
#include "core/eval/context_format.h"
#include "core/model/scoring.h"
#include "core/tokenize/tokenizer.h"
#include "core/model/transformer.h"

namespace amalgam {

struct ChoiceResult {
    std::string source;
    std::vector<double> logprobs;  ///< per option, the continuation's total log-probability
    int chosen = 0;
    bool correct = false;
};

/** Scores every option of every item in batches, each context put before the model in
 *  `format`, and picks the most likely. */
std::vector<ChoiceResult> evaluate_choices(const TransformerModel& model, const Tokenizer& tokenizer, const std::vector<ChoiceItem>& items,
                                           std::size_t batch_size = 16, const ContextFormat& format = {}, const ScoredSoFar& items_so_far = {});

/** Fraction of correct results; 0 for none. */
double choice_accuracy(const std::vector<ChoiceResult>& results);

}  // namespace amalgam
