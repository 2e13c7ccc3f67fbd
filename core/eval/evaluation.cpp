#include "core/eval/evaluation.h"

#include <algorithm>
#include <stdexcept>

#include "core/data/importer.h"
#include "core/eval/choice_evaluator.h"
#include "core/eval/winobias_evaluator.h"

namespace amalgam {
namespace {

using ordered_json = nlohmann::ordered_json;

template <class T>
void keep_first(std::vector<T>& v, std::size_t limit) {
    if (limit && v.size() > limit) v.resize(limit);
}

ordered_json side_json(const WinobiasSide& s) {
    return {{"source", s.source},
            {"prompt", s.prompt},
            {"occupation", s.occupation},
            {"occupation_logprob", s.occupation_logprob},
            {"cluster", s.cluster},
            {"cluster_logprob", s.cluster_logprob},
            {"generation_prompt", s.generation_prompt},
            {"generation", s.generation},
            {"correct", s.correct}};
}

ordered_json choice_json(const std::vector<ChoiceResult>& results) {
    ordered_json items = ordered_json::array();
    for (const auto& r : results)
        items.push_back({{"source", r.source}, {"logprobs", r.logprobs}, {"chosen", r.chosen}, {"correct", r.correct}});
    return items;
}

}  // namespace

ordered_json run_evaluation(const TransformerModel& model, const Tokenizer& tokenizer, const EvalRequest& request, Progress& progress) {
    for (const auto& s : request.suites)
        if (s != "winobias" && s != "winogrande" && s != "winogender")
            throw std::invalid_argument("unknown suite '" + s + "' (known: winobias, winogrande, winogender)");
    auto wants = [&](const char* s) { return std::find(request.suites.begin(), request.suites.end(), s) != request.suites.end(); };
    ordered_json metrics = ordered_json::object(), counts = ordered_json::object(), items = ordered_json::object();

    // Every suite is read before the work, so the stages can be announced with their sizes.
    std::vector<WinobiasPair> pairs;
    std::vector<std::pair<const char*, std::vector<ChoiceItem>>> choice_suites;
    if (wants("winobias")) pairs = read_winobias_pairs(request.data_dir / "winobias", "test");
    if (wants("winogrande"))
        choice_suites.emplace_back("winogrande", winogrande_choice_items(import_dataset(request.data_dir / "winogrande" / "dev.jsonl", "winogrande").prompts));
    if (wants("winogender"))
        choice_suites.emplace_back("winogender", winogender_choice_items(request.data_dir / "winogender" / "all_sentences.tsv"));
    keep_first(pairs, request.limit);
    for (auto& [suite, list] : choice_suites) keep_first(list, request.limit);
    // A WinoBias pair (two scored prompts with their distributions, two short answers) costs
    // about 2.5 times a two-option choice item (the tiny Llama: 5.1 ms against 2.1 ms).
    std::vector<Progress::Stage> plan;
    if (wants("winobias")) plan.push_back({"winobias", pairs.size(), 2.5 * static_cast<double>(pairs.size())});
    for (const auto& [suite, list] : choice_suites) plan.push_back({suite, list.size(), static_cast<double>(list.size())});
    progress.plan(plan);

    if (wants("winobias")) {
        WinobiasEvalOptions options;
        options.batch_size = request.batch_size;
        WinobiasEvaluation e = evaluate_winobias(model, tokenizer, pairs, options, progress);
        metrics["bias"] = e.metrics.bias;
        metrics["bias_entropy"] = e.metrics.bias_entropy;
        metrics["bias_cluster"] = e.metrics.bias_cluster;
        metrics["accuracy"] = e.metrics.accuracy;
        metrics["similarity"] = e.metrics.similarity;
        counts["winobias_pairs"] = e.metrics.pairs;
        counts["winobias_prompts"] = 2 * e.metrics.pairs;
        ordered_json list = ordered_json::array();
        for (const auto& i : e.items) list.push_back({{"pair", i.pair}, {"kl", i.kl}, {"pro", side_json(i.pro)}, {"anti", side_json(i.anti)}});
        items["winobias"] = list;
    }
    for (const auto& [suite, list] : choice_suites) {
        progress.start(suite, list.size());
        auto results = evaluate_choices(model, tokenizer, list, request.batch_size, [&](std::size_t done) { progress.advance(done); });
        progress.finish();
        metrics[suite] = choice_accuracy(results);
        counts[suite] = results.size();
        items[suite] = choice_json(results);
    }
    return {{"metrics", metrics}, {"counts", counts}, {"items", items}};
}

}  // namespace amalgam
