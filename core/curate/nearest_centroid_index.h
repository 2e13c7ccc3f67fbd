#pragma once

#include <faiss/IndexFlat.h>

namespace amalgam {

/** A flat L2 index for k-means assignment. faiss answers a nearest-centroid query with one
 *  BLAS product of n x d by d x k; with k = 10 that product is too thin for BLAS to be fast
 *  (about 14 GFLOP/s here). This index computes the k distances of each point directly in a
 *  vectorised loop, built for AVX-512 and AVX2 with a portable fallback, and leaves every
 *  other query to faiss. */
class NearestCentroidIndex final : public faiss::IndexFlatL2 {
public:
    explicit NearestCentroidIndex(faiss::Index::idx_t dim) : faiss::IndexFlatL2(dim) {}

    void search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
                const faiss::SearchParameters* params = nullptr) const override;
};

}  // namespace amalgam
