#include "core/eval/choice_evaluator.h"

#include <algorithm>

#include "core/model/generation.h"

namespace amalgam {

std::vector<ChoiceResult> evaluate_choices(const TransformerModel& model, const Tokenizer& tokenizer, const std::vector<ChoiceItem>& items,
                                           std::size_t batch_size, const ContextFormat& format, const ScoredSoFar& items_so_far) {
    std::vector<std::pair<std::string, std::string>> requests;
    std::vector<std::size_t> options_through;  // per item: the options of it and those before it
    for (const auto& item : items) {
        requests.insert(requests.end(), item.options.begin(), item.options.end());
        options_through.push_back(requests.size());
    }
    auto scores = score_continuations(
        model, tokenizer, requests, batch_size,
        [&](std::size_t pairs_done) {
            if (items_so_far)
                items_so_far(static_cast<std::size_t>(std::upper_bound(options_through.begin(), options_through.end(), pairs_done) - options_through.begin()));
        },
        [&](const std::string& context) { return format.encode(tokenizer, context); });
    std::vector<ChoiceResult> results;
    std::size_t next = 0;
    for (const auto& item : items) {
        ChoiceResult r{item.source, {}, 0, false};
        for (std::size_t o = 0; o < item.options.size(); ++o) {
            r.logprobs.push_back(scores[next++].total);
            if (r.logprobs.back() > r.logprobs[r.chosen]) r.chosen = static_cast<int>(o);
        }
        r.correct = r.chosen == item.correct;
        results.push_back(std::move(r));
    }
    return results;
}

double choice_accuracy(const std::vector<ChoiceResult>& results) {
    if (results.empty()) return 0;
    double correct = 0;
    for (const auto& r : results) correct += r.correct;
    return correct / static_cast<double>(results.size());
}

}  // namespace amalgam
