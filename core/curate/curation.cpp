#include "core/curate/curation.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "core/embed/embedder.h"
#include "core/curate/dedup.h"
#include "core/curate/kmeans.h"
#include "core/curate/projection.h"
#include "core/curate/selection.h"

namespace amalgam {
namespace {

using PromptKey = std::pair<std::string, std::string>;  // (source, source_id)

/** Every source unified into one list of pairs and one of unpaired rows, with the per-source
 *  reports. */
Curation unify_sources(const std::vector<CurationSource>& sources, const CurationSettings& settings) {
    Curation c;
    c.settings = settings;
    for (const auto& s : sources) {
        UnifiedSource unified = unify(s.name, s.dataset.prompts, s.label);
        c.sources.push_back({s.name, s.path, s.dataset.format, s.dataset.content_hash, s.dataset.report, s.label, unified.threshold,
                             unified.counts});
        c.pairs.insert(c.pairs.end(), std::make_move_iterator(unified.pairs.begin()), std::make_move_iterator(unified.pairs.end()));
        c.unpaired.insert(c.unpaired.end(), std::make_move_iterator(unified.unpaired.begin()),
                          std::make_move_iterator(unified.unpaired.end()));
    }
    if (c.pairs.empty()) throw std::invalid_argument("no preference pairs: every prompt was dropped");
    return c;
}

/** The prompts that give unpaired rows but no pair, each as its first row, in row order. */
std::vector<std::size_t> lone_prompt_rows(const Curation& c) {
    std::set<PromptKey> placed;
    for (const auto& p : c.pairs) placed.insert({p.source, p.source_id});
    std::vector<std::size_t> first_rows;
    for (std::size_t i = 0; i < c.unpaired.size(); ++i)
        if (placed.insert({c.unpaired[i].source, c.unpaired[i].source_id}).second) first_rows.push_back(i);
    return first_rows;
}

/** Every unpaired row at its prompt's place: the pair's, else the prompt's in `prompt_placements`. */
void place_unpaired(Curation& c) {
    std::map<PromptKey, std::pair<int, std::size_t>> place;  // the pair's cluster and index
    for (std::size_t i = 0; i < c.pairs.size(); ++i)
        place.emplace(PromptKey{c.pairs[i].source, c.pairs[i].source_id}, std::pair{c.cluster[i], i});
    std::map<PromptKey, const PairPlacement*> stored;
    for (const auto& p : c.prompt_placements) stored.emplace(PromptKey{p.source, p.source_id}, &p);
    c.unpaired_cluster.clear();
    c.unpaired_xy.clear();
    for (const UnpairedRow& row : c.unpaired) {
        const PromptKey key{row.source, row.source_id};
        if (auto it = place.find(key); it != place.end()) {
            c.unpaired_cluster.push_back(it->second.first);
            c.unpaired_xy.push_back(c.xy[2 * it->second.second]);
            c.unpaired_xy.push_back(c.xy[2 * it->second.second + 1]);
        } else if (auto s = stored.find(key); s != stored.end()) {
            c.unpaired_cluster.push_back(s->second->cluster);
            c.unpaired_xy.push_back(s->second->x);
            c.unpaired_xy.push_back(s->second->y);
        } else {
            throw std::invalid_argument("prompt " + row.source + ":" + row.source_id +
                                        " gives unpaired rows now but has no place in the stored curation");
        }
    }
}

}  // namespace

Curation curate(const std::vector<CurationSource>& sources, const CurationSettings& settings, const Embedder& embedder,
                Progress& progress) {
    Curation c = unify_sources(sources, settings);
    const std::vector<std::size_t> lone = lone_prompt_rows(c);

    std::vector<std::string> texts;
    texts.reserve(c.pairs.size() + lone.size());
    for (const auto& p : c.pairs) texts.push_back(p.prompt);
    for (std::size_t row : lone) texts.push_back(c.unpaired[row].prompt);
    // The stages' work in seconds as measured on 10,650 pairs (2 cores): each k-means restart
    // (25 Lloyd passes) 0.06 s at k = 10, the PCA 0.1 s.
    const double n = static_cast<double>(c.pairs.size());
    const auto restarts = static_cast<std::size_t>(settings.restarts);
    std::vector<Progress::Stage> stages = {{"embed", texts.size(), static_cast<double>(texts.size()) * embedder.seconds_per_text()},
                                           {"cluster", restarts, static_cast<double>(restarts) * n * settings.clusters * 5.6e-7}};
    if (settings.dedup) stages.push_back({"dedup", 1, n * 2e-6});
    stages.push_back({"project", 1, n * 9.4e-6});
    progress.plan(stages);
    std::vector<float> embeddings = embedder.embed(texts, progress, c.pairs.size());  // the pairs' prompts are the corpus
    const std::size_t dim = embedder.dim(), paired = c.pairs.size() * dim;
    const std::vector<float> lone_embeddings(embeddings.begin() + static_cast<std::ptrdiff_t>(paired), embeddings.end());
    embeddings.resize(paired);

    KMeansResult clusters = kmeans(embeddings, dim, {settings.clusters, settings.restarts, 25, settings.seed}, progress);
    c.clusters_used = clusters.clusters;
    c.cluster = std::move(clusters.assignment);
    c.duplicate.assign(c.pairs.size(), Duplicate::None);
    if (settings.dedup) {
        progress.start("dedup", 1);
        std::vector<DedupItem> items;
        items.reserve(c.pairs.size());
        for (const auto& p : c.pairs) items.push_back({&p.prompt, p.quality});
        c.duplicate = find_duplicates(items, embeddings, dim, c.cluster, *settings.dedup);
        progress.advance(1);
        progress.finish();
    }

    progress.start("project", 1);
    const MapProjection plane(embeddings, dim);
    c.xy = plane(embeddings);
    if (!lone.empty()) {
        const std::vector<int> lone_cluster = nearest_centroids(lone_embeddings, dim, clusters.centroids);
        const std::vector<float> lone_xy = plane(lone_embeddings);
        for (std::size_t j = 0; j < lone.size(); ++j)
            c.prompt_placements.push_back({c.unpaired[lone[j]].source, c.unpaired[lone[j]].source_id, lone_cluster[j], lone_xy[2 * j],
                                           lone_xy[2 * j + 1]});
    }
    place_unpaired(c);
    progress.advance(1);
    progress.finish();
    return c;
}

Curation restore_curation(const std::vector<CurationSource>& sources, const CurationSettings& settings, int clusters_used,
                          const std::vector<PairPlacement>& placements, const std::vector<PairPlacement>& prompt_placements) {
    Curation c = unify_sources(sources, settings);
    if (placements.size() != c.pairs.size())
        throw std::invalid_argument("the datasets give " + std::to_string(c.pairs.size()) + " pairs, the stored curation " +
                                    std::to_string(placements.size()));
    c.clusters_used = clusters_used;
    c.cluster.reserve(placements.size());
    c.xy.reserve(2 * placements.size());
    for (std::size_t i = 0; i < placements.size(); ++i) {
        const PairPlacement& p = placements[i];
        if (p.source != c.pairs[i].source || p.source_id != c.pairs[i].source_id)
            throw std::invalid_argument("pair " + std::to_string(i) + " is " + c.pairs[i].source + ":" + c.pairs[i].source_id +
                                        " now but " + p.source + ":" + p.source_id + " in the stored curation");
        c.cluster.push_back(p.cluster);
        c.duplicate.push_back(p.duplicate);
        c.xy.push_back(p.x);
        c.xy.push_back(p.y);
    }
    c.prompt_placements = prompt_placements;
    place_unpaired(c);
    return c;
}

namespace {

/** Items and selected items per source and per cluster, walked stratum by stratum. */
void count_strata(const Curation& c, const StratifiedOrder& order, const std::vector<bool>& selected,
                  std::vector<std::size_t>& by_source, std::vector<std::size_t>& by_source_selected,
                  std::vector<std::size_t>& by_cluster, std::vector<std::size_t>& by_cluster_selected, std::size_t& total_selected) {
    by_source.assign(c.sources.size(), 0);
    by_source_selected.assign(c.sources.size(), 0);
    by_cluster.assign(static_cast<std::size_t>(c.clusters_used), 0);
    by_cluster_selected.assign(static_cast<std::size_t>(c.clusters_used), 0);
    std::map<std::string, std::size_t> source_index;
    for (std::size_t s = 0; s < c.sources.size(); ++s) source_index[c.sources[s].name] = s;
    for (const auto& stratum : order.strata()) {
        std::size_t kept = 0;
        for (std::size_t r = stratum.begin; r < stratum.end; ++r) kept += selected[order.order()[r]];
        const std::size_t s = source_index.at(stratum.source), k = static_cast<std::size_t>(stratum.cluster);
        by_source[s] += stratum.end - stratum.begin;
        by_cluster[k] += stratum.end - stratum.begin;
        by_source_selected[s] += kept;
        by_cluster_selected[k] += kept;
        total_selected += kept;
    }
}

/** What `make` gives, made once and kept in `slot`; a race makes it twice and keeps one. */
template <typename T, typename Make>
const T& kept(std::shared_ptr<const T>& slot, Make make) {
    if (auto value = std::atomic_load(&slot)) return *value;
    std::shared_ptr<const T> none, made = std::make_shared<const T>(make());
    std::atomic_compare_exchange_strong(&slot, &none, made);
    return *std::atomic_load(&slot);
}

std::string pair_key(const std::string& source, const std::string& source_id) { return source + '\x1f' + source_id; }

}  // namespace

std::vector<DuplicateCounts> count_duplicates(const Curation& c) {
    std::map<std::string, std::size_t> source_index;
    for (std::size_t s = 0; s < c.sources.size(); ++s) source_index[c.sources[s].name] = s;
    std::vector<DuplicateCounts> out(c.sources.size());
    for (std::size_t i = 0; i < c.duplicate.size(); ++i) {
        if (c.duplicate[i] == Duplicate::None) continue;
        DuplicateCounts& n = out[source_index.at(c.pairs[i].source)];
        ++(c.duplicate[i] == Duplicate::Exact ? n.exact : n.near);
    }
    return out;
}

SelectionCounts count_selection(const Curation& c, const std::vector<bool>& selected, const std::vector<bool>& unpaired_selected) {
    SelectionCounts n;
    count_strata(c, c.pair_order(), selected, n.source_pairs, n.source_selected, n.cluster_pairs, n.cluster_selected, n.selected);
    count_strata(c, c.unpaired_order(), unpaired_selected, n.source_unpaired, n.source_unpaired_selected, n.cluster_unpaired,
                 n.cluster_unpaired_selected, n.unpaired_selected);
    return n;
}

const StratifiedOrder& Curation::pair_order() const {
    return kept(pair_order_, [this] {
        std::vector<SelectionItem> items;
        items.reserve(pairs.size());
        for (std::size_t i = 0; i < pairs.size(); ++i)
            items.push_back({pairs[i].source, pairs[i].source_id, cluster[i], pairs[i].quality,
                             !duplicate.empty() && duplicate[i] != Duplicate::None});
        return StratifiedOrder(items, settings.seed);
    });
}

const StratifiedOrder& Curation::unpaired_order() const {
    return kept(unpaired_order_, [this] {
        // A repeated pair's prompt repeats in its rows too.
        const bool any_duplicate = std::any_of(duplicate.begin(), duplicate.end(), [](Duplicate d) { return d != Duplicate::None; });
        auto repeats = [&](const UnpairedRow& r) {
            const auto [first, last] = pair_index().equal_range(pair_key(r.source, r.source_id));
            return std::any_of(first, last, [&](const auto& pair) { return duplicate[pair.second] != Duplicate::None; });
        };
        std::vector<SelectionItem> items;
        items.reserve(unpaired.size());
        for (std::size_t i = 0; i < unpaired.size(); ++i) {
            const UnpairedRow& r = unpaired[i];
            items.push_back({r.source, r.source_id + "#" + std::to_string(r.answer), unpaired_cluster[i], r.quality,
                             any_duplicate && repeats(r)});
        }
        return StratifiedOrder(items, settings.seed);
    });
}

const Curation::PairIndex& Curation::pair_index() const {
    return kept(pair_index_, [this] {
        PairIndex index;
        index.reserve(pairs.size());
        for (std::size_t i = 0; i < pairs.size(); ++i) index.emplace(pair_key(pairs[i].source, pairs[i].source_id), i);
        return index;
    });
}

std::vector<bool> Curation::select(double fraction, const PairOverrides& overrides) const {
    std::vector<bool> selected = pair_order().cut(fraction);
    for (const auto& [key, keep] : overrides) {  // the decisions of pairs no longer in the curation wait for them
        const auto [first, last] = pair_index().equal_range(pair_key(key.first, key.second));
        for (auto it = first; it != last; ++it) selected[it->second] = keep;
    }
    return selected;
}

std::vector<bool> Curation::select_unpaired(double fraction) const { return unpaired_order().cut(fraction); }

}  // namespace amalgam
