#include "core/curate/dedup.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <stdexcept>
#include <unordered_set>

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/AuxIndexStructures.h>

namespace amalgam {
namespace {

using FaissId = faiss::Index::idx_t;

constexpr std::size_t kExhaustiveUpTo = 4096;  // larger clusters get an inverted-file index
constexpr std::size_t kPerList = 1000;
constexpr std::size_t kProbes = 8;
constexpr std::size_t kBatch = 1024;  // queries at a time, which bounds the neighbour lists held

/** The members of each cluster in the order they are considered: best quality first. */
std::map<int, std::vector<std::size_t>> clusters_in_order(const std::vector<DedupItem>& items, const std::vector<int>& cluster) {
    std::map<int, std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < items.size(); ++i) members[cluster[i]].push_back(i);
    for (auto& [k, m] : members)
        std::stable_sort(m.begin(), m.end(), [&](std::size_t a, std::size_t b) {
            const auto& qa = items[a].quality;
            const auto& qb = items[b].quality;
            if (qa.has_value() != qb.has_value()) return qa.has_value();
            return qa && *qa > *qb;
        });
    return members;
}

/** The index a cluster's remaining prompts are searched in. */
std::unique_ptr<faiss::Index> neighbour_index(const std::vector<float>& points, std::size_t dim) {
    const std::size_t n = points.size() / dim;
    auto flat = std::make_unique<faiss::IndexFlatIP>(static_cast<FaissId>(dim));
    if (n <= kExhaustiveUpTo) {
        flat->add(static_cast<FaissId>(n), points.data());
        return flat;
    }
    auto ivf = std::make_unique<faiss::IndexIVFFlat>(flat.release(), dim, n / kPerList, faiss::METRIC_INNER_PRODUCT);
    ivf->own_fields = true;  // the coarse quantizer goes with it
    ivf->cp.seed = 0;
    ivf->train(static_cast<FaissId>(n), points.data());
    ivf->add(static_cast<FaissId>(n), points.data());
    ivf->nprobe = kProbes;
    return ivf;
}

}  // namespace

std::string normalised_prompt(const std::string& text) {
    std::string out;
    bool space = false;
    for (unsigned char c : text) {
        if (std::isspace(c)) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += static_cast<char>(std::tolower(c));
    }
    return out;
}

std::vector<Duplicate> find_duplicates(const std::vector<DedupItem>& items, const std::vector<float>& embeddings, std::size_t dim,
                                       const std::vector<int>& cluster, double threshold) {
    if (items.size() != cluster.size() || embeddings.size() != items.size() * dim)
        throw std::invalid_argument("find_duplicates: one cluster and one embedding per item");
    std::vector<Duplicate> out(items.size(), Duplicate::None);
    for (const auto& [k, members] : clusters_in_order(items, cluster)) {
        // Exact duplicates first; the rest go on to the neighbour search.
        std::unordered_set<std::string> texts;
        std::vector<std::size_t> rest;
        for (std::size_t i : members) {
            if (texts.insert(normalised_prompt(*items[i].prompt)).second) rest.push_back(i);
            else out[i] = Duplicate::Exact;
        }
        if (rest.size() < 2) continue;
        std::vector<float> points(rest.size() * dim);
        for (std::size_t r = 0; r < rest.size(); ++r) std::copy_n(&embeddings[rest[r] * dim], dim, &points[r * dim]);
        const std::unique_ptr<faiss::Index> index = neighbour_index(points, dim);
        std::vector<bool> kept(rest.size(), false);
        // Each prompt in order: a near duplicate when a kept prompt before it is close enough.
        for (std::size_t begin = 0; begin < rest.size(); begin += kBatch) {
            const std::size_t count = std::min(kBatch, rest.size() - begin);
            faiss::RangeSearchResult found(static_cast<FaissId>(count));
            // faiss keeps inner products above the radius: a hair below the threshold keeps equality.
            index->range_search(static_cast<FaissId>(count), &points[begin * dim], static_cast<float>(threshold) - 1e-6f, &found);
            for (std::size_t q = 0; q < count; ++q) {
                bool repeat = false;
                for (std::size_t h = found.lims[q]; h < found.lims[q + 1] && !repeat; ++h) {
                    const auto j = static_cast<std::size_t>(found.labels[h]);
                    repeat = j != begin + q && kept[j];
                }
                if (repeat) out[rest[begin + q]] = Duplicate::Near;
                else kept[begin + q] = true;
            }
        }
    }
    return out;
}

}  // namespace amalgam
