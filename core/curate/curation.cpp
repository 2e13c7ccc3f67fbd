#include "core/curate/curation.h"

#include <stdexcept>

#include "core/curate/embedder.h"
#include "core/curate/kmeans.h"
#include "core/curate/projection.h"
#include "core/curate/selection.h"

namespace amalgam {

Curation curate(const std::vector<CurationSource>& sources, const CurationSettings& settings, const Embedder& embedder,
                Progress& progress) {
    Curation c;
    c.settings = settings;
    for (const auto& s : sources) {
        UnifiedSource unified = unify(s.name, s.dataset.prompts, s.label);
        c.sources.push_back({s.name, s.path, s.dataset.format, s.dataset.content_hash, s.dataset.report, s.label, unified.counts});
        c.pairs.insert(c.pairs.end(), std::make_move_iterator(unified.pairs.begin()),
                       std::make_move_iterator(unified.pairs.end()));
    }
    if (c.pairs.empty()) throw std::invalid_argument("no preference pairs: every prompt was dropped");

    std::vector<std::string> texts;
    texts.reserve(c.pairs.size());
    for (const auto& p : c.pairs) texts.push_back(p.prompt);
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

std::vector<bool> Curation::select(double fraction) const {
    std::vector<SelectionItem> items;
    items.reserve(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) items.push_back({pairs[i].source, pairs[i].source_id, cluster[i], pairs[i].quality});
    return select_pairs(items, fraction, settings.seed);
}

}  // namespace amalgam
