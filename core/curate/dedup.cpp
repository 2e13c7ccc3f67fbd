#include "core/curate/dedup.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <stdexcept>
#include <unordered_set>

#include "core/curate/kmeans.h"

#include <faiss/IndexFlat.h>
#include <faiss/impl/AuxIndexStructures.h>

namespace amalgam {
namespace {

using FaissId = faiss::Index::idx_t;

constexpr std::size_t kOneCellUpTo = 1024;  // a larger cluster is cut into cells of about kCellSize
constexpr std::size_t kCellSize = 256;
constexpr int kCellIterations = 3;
constexpr int kCellsPerPoint = 3;

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

/** The cells a cluster's points are compared within: one for a small cluster; for a large one,
 *  the cells of a k-means over it, each point in the cells of its three nearest centroids, so
 *  that two close points on either side of a border still meet. */
std::vector<std::vector<std::uint32_t>> cells_of(const std::vector<float>& points, std::size_t dim) {
    const std::size_t n = points.size() / dim;
    std::vector<std::vector<std::uint32_t>> cells;
    if (n <= kOneCellUpTo) {
        cells.emplace_back(n);
        for (std::size_t i = 0; i < n; ++i) cells[0][i] = static_cast<std::uint32_t>(i);
        return cells;
    }
    NoProgress quiet;
    const KMeansResult sub = kmeans(points, dim, {static_cast<int>(n / kCellSize), 1, kCellIterations, 0}, quiet);
    faiss::IndexFlatIP centroids(static_cast<FaissId>(dim));
    centroids.add(sub.clusters, sub.centroids.data());
    std::vector<float> similarity(kCellsPerPoint * n);
    std::vector<FaissId> nearest(kCellsPerPoint * n);
    centroids.search(static_cast<FaissId>(n), points.data(), kCellsPerPoint, similarity.data(), nearest.data());
    cells.resize(static_cast<std::size_t>(sub.clusters));
    for (std::size_t i = 0; i < n; ++i)
        for (int j = 0; j < kCellsPerPoint; ++j)
            cells[static_cast<std::size_t>(nearest[kCellsPerPoint * i + j])].push_back(static_cast<std::uint32_t>(i));
    return cells;
}

/** Every point's neighbours at `threshold` or closer, from an exhaustive search within each of
 *  its cells (faiss: inner products by matrix products). */
std::vector<std::vector<std::uint32_t>> neighbours(const std::vector<float>& points, std::size_t dim, double threshold) {
    std::vector<std::vector<std::uint32_t>> out(points.size() / dim);
    std::vector<float> cell_points;
    for (const auto& cell : cells_of(points, dim)) {
        if (cell.size() < 2) continue;
        cell_points.resize(cell.size() * dim);
        for (std::size_t r = 0; r < cell.size(); ++r) std::copy_n(&points[cell[r] * dim], dim, &cell_points[r * dim]);
        faiss::IndexFlatIP index(static_cast<FaissId>(dim));
        index.add(static_cast<FaissId>(cell.size()), cell_points.data());
        faiss::RangeSearchResult found(static_cast<FaissId>(cell.size()));
        // faiss keeps inner products above the radius: a hair below the threshold keeps equality.
        index.range_search(static_cast<FaissId>(cell.size()), cell_points.data(), static_cast<float>(threshold) - 1e-6f, &found);
        for (std::size_t q = 0; q < cell.size(); ++q)
            for (std::size_t h = found.lims[q]; h < found.lims[q + 1]; ++h)
                if (found.labels[h] != static_cast<FaissId>(q)) out[cell[q]].push_back(cell[static_cast<std::size_t>(found.labels[h])]);
    }
    return out;
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
        const auto near = neighbours(points, dim, threshold);
        // Each prompt in order: a near duplicate when a kept prompt before it is close enough.
        std::vector<bool> kept(rest.size(), false);
        for (std::size_t r = 0; r < rest.size(); ++r) {
            const bool repeat = std::any_of(near[r].begin(), near[r].end(), [&](std::uint32_t j) { return kept[j]; });
            if (repeat) out[rest[r]] = Duplicate::Near;
            else kept[r] = true;
        }
    }
    return out;
}

}  // namespace amalgam
