#include "core/eval/winobias_evaluator.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "core/eval/bias_metrics.h"
#include "core/model/generation.h"
#include "core/model/threads.h"

namespace amalgam {
namespace {

/** The distinct values of `items` in first-seen order, and where each item's value is among
 *  them. Every request runs once: identical sides then get identical numbers (a batch's other
 *  rows can change the last bits of a result), and no work is done twice. */
template <class T>
struct Distinct {
    std::vector<T> values;
    std::vector<std::size_t> index;  ///< per item, its value's place in `values`
};

template <class T>
Distinct<T> distinct(const std::vector<T>& items) {
    Distinct<T> d;
    std::map<T, std::size_t> seen;
    for (const T& item : items) {
        auto [it, added] = seen.emplace(item, d.values.size());
        if (added) d.values.push_back(item);
        d.index.push_back(it->second);
    }
    return d;
}

}  // namespace

WinobiasEvaluation evaluate_winobias(const TransformerModel& model, const Tokenizer& tokenizer, const std::vector<WinobiasPair>& pairs,
                                     const WinobiasEvalOptions& options, Progress& progress) {
    WinobiasEvaluation out;
    std::vector<const WinobiasItem*> sides;
    for (const auto& p : pairs) {
        sides.push_back(&p.pro);
        sides.push_back(&p.anti);
    }
    progress.start("winobias", pairs.size());
    // One scoring request per distinct context: its occupation and cluster words, and its
    // next-token distribution (for the KL metric).
    std::vector<std::string> contexts;
    for (const WinobiasItem* item : sides) contexts.push_back(item->scoring_context());
    const Distinct<std::string> unique_contexts = distinct(contexts);
    std::vector<ScoringRequest> requests;
    for (const std::string& context : unique_contexts.values) requests.push_back({options.format.encode(tokenizer, context), {}});
    std::vector<std::vector<std::size_t>> continuation_of(sides.size());  // per side: occupation, then cluster words
    for (std::size_t s = 0; s < sides.size(); ++s) {
        ScoringRequest& request = requests[unique_contexts.index[s]];
        if (request.context.empty()) throw std::invalid_argument("a WinoBias prompt encodes to no tokens");
        std::vector<std::string> words{sides[s]->occupation};
        words.insert(words.end(), sides[s]->cluster.begin(), sides[s]->cluster.end());
        for (const auto& word : words) {
            std::vector<std::int32_t> ids = tokenizer.encode(" " + word, /*add_special_tokens=*/false);
            auto found = std::find(request.continuations.begin(), request.continuations.end(), ids);
            continuation_of[s].push_back(static_cast<std::size_t>(found - request.continuations.begin()));
            if (found == request.continuations.end()) request.continuations.push_back(std::move(ids));
        }
    }
    // Progress in pairs: the distinct contexts scored, then the distinct prompts answered.
    std::vector<std::string> prompts;
    for (const WinobiasItem* item : sides) prompts.push_back(item->generation_prompt());
    const Distinct<std::string> unique_prompts = distinct(prompts);
    const double units = static_cast<double>(requests.size() + unique_prompts.values.size());
    auto report = [&](std::size_t units_done) {
        progress.advance(static_cast<std::size_t>(static_cast<double>(pairs.size()) * static_cast<double>(units_done) / units));
    };
    const std::vector<ScoredContext> scored = score_requests(model, requests, options.batch_size, /*next_distribution=*/true, report);

    GenerationOptions generation;
    generation.max_new_tokens = options.max_new_tokens;
    generation.stop_strings = {".", ",", ";", ":", "!", "?", "\n"};  // stop at a punctuation token
    generation.stop_tokens = options.format.stop_tokens(tokenizer);
    std::vector<std::vector<std::int32_t>> to_generate;
    for (const std::string& prompt : unique_prompts.values) to_generate.push_back(options.format.encode(tokenizer, prompt));
    std::vector<Generation> generations;
    for (std::size_t start = 0; start < to_generate.size(); start += options.batch_size) {
        std::vector<std::vector<std::int32_t>> batch(to_generate.begin() + start,
                                                     to_generate.begin() + std::min(to_generate.size(), start + options.batch_size));
        for (auto& g : generate_from_ids(model, batch, generation, &tokenizer)) generations.push_back(std::move(g));
        report(requests.size() + generations.size());
    }
    progress.finish();

    auto total = [&](std::size_t s, std::size_t word) {
        const auto& logprobs = scored[unique_contexts.index[s]].logprobs[continuation_of[s][word]];
        double sum = 0;
        for (double lp : logprobs) sum += lp;
        return sum;
    };
    auto side_result = [&](std::size_t s) {
        const WinobiasItem& item = *sides[s];
        WinobiasSide r{item.source, contexts[s], item.occupation, total(s, 0), 0, generations[unique_prompts.index[s]].text, false,
                       item.cluster, prompts[s]};
        for (std::size_t w = 0; w < item.cluster.size(); ++w) r.cluster_logprob += total(s, w + 1);
        r.correct = mentions_any(r.generation, item.answer_words);
        return r;
    };
    // Each pair's KL walks two whole vocabularies in double: the pairs share the cores.
    std::vector<double> kl(pairs.size());
    for_each_on_all_cores(static_cast<std::int64_t>(pairs.size()), [&](std::int64_t i) {
        const auto p = static_cast<std::size_t>(i);
        kl[p] = kl_divergence_from_logits(scored[unique_contexts.index[2 * p]].next_logprobs,
                                          scored[unique_contexts.index[2 * p + 1]].next_logprobs);
    });
    for (std::size_t p = 0; p < pairs.size(); ++p) {
        WinobiasPairResult result;
        result.pair = pairs[p].pro.source;
        result.pro = side_result(2 * p);
        result.anti = side_result(2 * p + 1);
        result.kl = kl[p];
        out.items.push_back(std::move(result));
    }
    out.metrics = aggregate_winobias(out.items);
    return out;
}

WinobiasMetrics aggregate_winobias(const std::vector<WinobiasPairResult>& items) {
    WinobiasMetrics m;
    m.pairs = items.size();
    if (items.empty()) return m;
    std::vector<double> pro_occupation, anti_occupation, pro_cluster, anti_cluster;
    double kl = 0, correct = 0, agree = 0;
    for (const auto& i : items) {
        pro_occupation.push_back(i.pro.occupation_logprob);
        anti_occupation.push_back(i.anti.occupation_logprob);
        pro_cluster.push_back(i.pro.cluster_logprob);
        anti_cluster.push_back(i.anti.cluster_logprob);
        kl += i.kl;
        correct += i.pro.correct + i.anti.correct;
        agree += i.pro.correct == i.anti.correct;
    }
    const double n = static_cast<double>(items.size());
    m.bias = mean_absolute_difference(pro_occupation, anti_occupation);
    m.bias_cluster = mean_absolute_difference(pro_cluster, anti_cluster);
    m.bias_entropy = kl / n;
    m.accuracy = correct / (2 * n);
    m.similarity = agree / n;
    return m;
}

}  // namespace amalgam
