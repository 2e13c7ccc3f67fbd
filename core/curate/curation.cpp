#include "core/curate/curation.h"

#include <stdexcept>

#include "core/embed/embedder.h"
#include "core/curate/kmeans.h"
#include "core/curate/projection.h"
#include "core/curate/selection.h"

namespace amalgam {
namespace {

/** Every source unified into one list of pairs, with the per-source reports. */
Curation unify_sources(const std::vector<CurationSource>& sources, const CurationSettings& settings) {
    Curation c;
    c.settings = settings;
    for (const auto& s : sources) {
        UnifiedSource unified = unify(s.name, s.dataset.prompts, s.label);
        c.sources.push_back({s.name, s.path, s.dataset.format, s.dataset.content_hash, s.dataset.report, s.label, unified.counts});
        c.pairs.insert(c.pairs.end(), std::make_move_iterator(unified.pairs.begin()),
                       std::make_move_iterator(unified.pairs.end()));
    }
    if (c.pairs.empty()) throw std::invalid_argument("no preference pairs: every prompt was dropped");
    return c;
}

}  // namespace

Curation curate(const std::vector<CurationSource>& sources, const CurationSettings& settings, const Embedder& embedder,
                Progress& progress) {
    Curation c = unify_sources(sources, settings);

    std::vector<std::string> texts;
    texts.reserve(c.pairs.size());
    for (const auto& p : c.pairs) texts.push_back(p.prompt);
    // The stages' work in seconds as measured on 10,650 pairs (2 cores): each k-means restart
    // (25 Lloyd passes) 0.06 s at k = 10, the PCA 0.1 s.
    const double n = static_cast<double>(texts.size());
    const auto restarts = static_cast<std::size_t>(settings.restarts);
    progress.plan({{"embed", texts.size(), n * embedder.seconds_per_text()},
                   {"cluster", restarts, static_cast<double>(restarts) * n * settings.clusters * 5.6e-7},
                   {"project", 1, n * 9.4e-6}});
    std::vector<float> embeddings = embedder.embed(texts, progress);

    KMeansResult clusters = kmeans(embeddings, embedder.dim(),
                                   {settings.clusters, settings.restarts, 25, settings.seed}, progress);
    c.clusters_used = clusters.clusters;
    c.cluster = std::move(clusters.assignment);

    progress.start("project", 1);
    c.xy = project_2d(embeddings, embedder.dim());
    progress.advance(1);
    progress.finish();
    return c;
}

Curation restore_curation(const std::vector<CurationSource>& sources, const CurationSettings& settings, int clusters_used,
                          const std::vector<PairPlacement>& placements) {
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
        c.xy.push_back(p.x);
        c.xy.push_back(p.y);
    }
    return c;
}

SelectionCounts count_selection(const Curation& c, const std::vector<bool>& selected) {
    SelectionCounts n;
    std::map<std::string, std::size_t> source_index;
    for (std::size_t s = 0; s < c.sources.size(); ++s) source_index[c.sources[s].name] = s;
    n.source_pairs.assign(c.sources.size(), 0);
    n.source_selected.assign(c.sources.size(), 0);
    n.cluster_pairs.assign(static_cast<std::size_t>(c.clusters_used), 0);
    n.cluster_selected.assign(static_cast<std::size_t>(c.clusters_used), 0);
    std::size_t s = 0;
    for (std::size_t i = 0; i < c.pairs.size(); ++i) {
        if (c.sources[s].name != c.pairs[i].source) s = source_index.at(c.pairs[i].source);  // pairs come source by source
        const auto k = static_cast<std::size_t>(c.cluster[i]);
        ++n.source_pairs[s];
        ++n.cluster_pairs[k];
        if (!selected[i]) continue;
        ++n.source_selected[s];
        ++n.cluster_selected[k];
        ++n.selected;
    }
    return n;
}

std::vector<bool> Curation::select(double fraction, const PairOverrides& overrides) const {
    std::vector<SelectionItem> items;
    items.reserve(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) items.push_back({pairs[i].source, pairs[i].source_id, cluster[i], pairs[i].quality});
    std::vector<bool> selected = select_pairs(items, fraction, settings.seed);
    if (!overrides.empty())
        for (std::size_t i = 0; i < pairs.size(); ++i)
            if (auto it = overrides.find({pairs[i].source, pairs[i].source_id}); it != overrides.end()) selected[i] = it->second;
    return selected;
}

}  // namespace amalgam
