#include "core/eval/evaluation.h"

#include <algorithm>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "core/data/importer.h"
#include "core/eval/choice_evaluator.h"
#include "core/eval/winobias_evaluator.h"

namespace amalgam {

// The per-item records as results.json spells them, one field list for writing and reading:
// reading carries a rank's records to the others.
template <class Side, class Visit>
void fields(Side& s, Visit&& visit, std::enable_if_t<std::is_same_v<std::decay_t<Side>, WinobiasSide>, int> = 0) {
    visit("source", s.source);
    visit("prompt", s.prompt);
    visit("occupation", s.occupation);
    visit("occupation_logprob", s.occupation_logprob);
    visit("cluster", s.cluster);
    visit("cluster_logprob", s.cluster_logprob);
    visit("generation_prompt", s.generation_prompt);
    visit("generation", s.generation);
    visit("correct", s.correct);
}
template <class Pair, class Visit>
void fields(Pair& p, Visit&& visit, std::enable_if_t<std::is_same_v<std::decay_t<Pair>, WinobiasPairResult>, int> = 0) {
    visit("pair", p.pair);
    visit("kl", p.kl);
    visit("pro", p.pro);
    visit("anti", p.anti);
}
template <class Choice, class Visit>
void fields(Choice& c, Visit&& visit, std::enable_if_t<std::is_same_v<std::decay_t<Choice>, ChoiceResult>, int> = 0) {
    visit("source", c.source);
    visit("logprobs", c.logprobs);
    visit("chosen", c.chosen);
    visit("correct", c.correct);
}

template <class Record>
void write_fields(nlohmann::ordered_json& j, const Record& r) {
    j = nlohmann::ordered_json::object();
    fields(r, [&](const char* name, const auto& value) { j[name] = value; });
}
template <class Record>
void read_fields(const nlohmann::ordered_json& j, Record& r) {
    fields(r, [&](const char* name, auto& value) { j.at(name).get_to(value); });
}
void to_json(nlohmann::ordered_json& j, const WinobiasSide& r) { write_fields(j, r); }
void to_json(nlohmann::ordered_json& j, const WinobiasPairResult& r) { write_fields(j, r); }
void to_json(nlohmann::ordered_json& j, const ChoiceResult& r) { write_fields(j, r); }
void from_json(const nlohmann::ordered_json& j, WinobiasSide& r) { read_fields(j, r); }
void from_json(const nlohmann::ordered_json& j, WinobiasPairResult& r) { read_fields(j, r); }
void from_json(const nlohmann::ordered_json& j, ChoiceResult& r) { read_fields(j, r); }

namespace {

using ordered_json = nlohmann::ordered_json;

template <class T>
void keep_first(std::vector<T>& v, std::size_t limit) {
    if (limit && v.size() > limit) v.resize(limit);
}

/** The items this rank evaluates: its contiguous share, so that rank order is item order. */
template <class T>
std::vector<T> own_share(const std::vector<T>& all, const ProcessGroup* group) {
    const auto [first, last] = rank_share(all.size(), group);
    return {all.begin() + static_cast<std::ptrdiff_t>(first), all.begin() + static_cast<std::ptrdiff_t>(last)};
}

/** Every rank's records of `suite`, in rank order (so in item order); this rank's alone without a group. */
template <class T>
std::vector<T> gathered(std::vector<T> mine, const char* suite, ProcessGroup* group) {
    if (!group) return mine;
    std::vector<T> all;
    for (const std::string& part : group->gather(std::string("eval/") + suite, ordered_json(mine).dump()))
        for (const auto& record : ordered_json::parse(part)) all.push_back(record.get<T>());
    return all;
}

}  // namespace

ordered_json run_evaluation(const TransformerModel& model, const Tokenizer& tokenizer, const EvalRequest& request, Progress& progress,
                            ProcessGroup* group) {
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
    pairs = own_share(pairs, group);
    for (auto& [suite, list] : choice_suites) {
        keep_first(list, request.limit);
        list = own_share(list, group);
    }
    // A WinoBias pair (two scored prompts with their distributions, two short answers) costs
    // about 2.5 times a two-option choice item (the tiny Llama: 5.1 ms against 2.1 ms).
    std::vector<Progress::Stage> plan;
    if (wants("winobias")) plan.push_back({"winobias", pairs.size(), 2.5 * static_cast<double>(pairs.size())});
    for (const auto& [suite, list] : choice_suites) plan.push_back({suite, list.size(), static_cast<double>(list.size())});
    progress.plan(plan);

    if (wants("winobias")) {
        WinobiasEvalOptions options;
        options.batch_size = request.batch_size;
        options.format = request.format;
        const std::vector<WinobiasPairResult> results = gathered(evaluate_winobias(model, tokenizer, pairs, options, progress).items, "winobias", group);
        const WinobiasMetrics m = aggregate_winobias(results);
        metrics["bias"] = m.bias;
        metrics["bias_entropy"] = m.bias_entropy;
        metrics["bias_cluster"] = m.bias_cluster;
        metrics["accuracy"] = m.accuracy;
        metrics["similarity"] = m.similarity;
        counts["winobias_pairs"] = m.pairs;
        counts["winobias_prompts"] = 2 * m.pairs;
        items["winobias"] = results;
    }
    for (const auto& [suite, list] : choice_suites) {
        progress.start(suite, list.size());
        auto mine = evaluate_choices(model, tokenizer, list, request.batch_size, request.format,
                                     [&](std::size_t done) { progress.advance(done); });
        progress.finish();
        const std::vector<ChoiceResult> results = gathered(std::move(mine), suite, group);
        metrics[suite] = choice_accuracy(results);
        counts[suite] = results.size();
        items[suite] = results;
    }
    return {{"metrics", metrics}, {"counts", counts}, {"items", items}};
}

}  // namespace amalgam
