#include "core/curate/nearest_centroid_index.h"

#include <limits>
#include <vector>

namespace amalgam {
namespace {

using Id = faiss::Index::idx_t;

// Few centroids: the whole table stays in cache while every point streams past it once.
constexpr Id kMaxDirectCentroids = 64;

__attribute__((target_clones("avx512f", "avx2", "default")))
void assign_nearest(Id n, Id d, const float* x, Id k, const float* centroids, const float* centroid_norms,
                    float* distances, Id* labels) {
#pragma omp parallel for schedule(static)
    for (Id i = 0; i < n; ++i) {
        const float* xi = x + i * d;
        float norm = 0;
#pragma omp simd reduction(+ : norm)
        for (Id t = 0; t < d; ++t) norm += xi[t] * xi[t];
        float best = std::numeric_limits<float>::infinity();
        Id best_j = -1;
        auto consider = [&](Id j, float dot) {
            float distance = norm + centroid_norms[j] - 2 * dot;
            if (distance < best) { best = distance; best_j = j; }
        };
        // Four centroids per pass: independent sums keep the FMA units busy, and each
        // element of the point is loaded once for all four.
        Id j = 0;
        for (; j + 4 <= k; j += 4) {
            const float* c0 = centroids + j * d;
            const float *c1 = c0 + d, *c2 = c1 + d, *c3 = c2 + d;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
            for (Id t = 0; t < d; ++t) {
                s0 += xi[t] * c0[t];
                s1 += xi[t] * c1[t];
                s2 += xi[t] * c2[t];
                s3 += xi[t] * c3[t];
            }
            consider(j, s0);
            consider(j + 1, s1);
            consider(j + 2, s2);
            consider(j + 3, s3);
        }
        for (; j < k; ++j) {
            const float* cj = centroids + j * d;
            float dot = 0;
#pragma omp simd reduction(+ : dot)
            for (Id t = 0; t < d; ++t) dot += xi[t] * cj[t];
            consider(j, dot);
        }
        distances[i] = best < 0 ? 0 : best;  // rounding can take an exact match just below zero
        labels[i] = best_j;
    }
}

}  // namespace

void NearestCentroidIndex::search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
                                  const faiss::SearchParameters* params) const {
    if (k != 1 || ntotal == 0 || ntotal > kMaxDirectCentroids || params) {
        faiss::IndexFlatL2::search(n, x, k, distances, labels, params);
        return;
    }
    const float* centroids = get_xb();
    std::vector<float> norms(ntotal, 0.0f);
    for (idx_t j = 0; j < ntotal; ++j)
        for (idx_t t = 0; t < d; ++t) norms[j] += centroids[j * d + t] * centroids[j * d + t];
    assign_nearest(n, d, x, ntotal, centroids, norms.data(), distances, labels);
}

}  // namespace amalgam
