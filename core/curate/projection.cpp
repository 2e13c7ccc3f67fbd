#include "core/curate/projection.h"

#include <cmath>

#include <faiss/VectorTransform.h>

namespace amalgam {

using FaissId = faiss::Index::idx_t;

std::vector<float> project_2d(const std::vector<float>& points, std::size_t dim) {
    const std::size_t n = dim ? points.size() / dim : 0;
    std::vector<float> out(n * 2, 0.0f);
    if (n < 2 || dim < 2) return out;
    faiss::PCAMatrix pca(static_cast<int>(dim), 2);
    pca.train(static_cast<FaissId>(n), points.data());
    for (int axis = 0; axis < 2; ++axis) {
        const float* loading = &pca.A[axis * dim];
        std::size_t largest = 0;
        for (std::size_t d = 1; d < dim; ++d)
            if (std::fabs(loading[d]) > std::fabs(loading[largest])) largest = d;
        float sign = loading[largest] < 0 ? -1.0f : 1.0f;
        for (std::size_t i = 0; i < n; ++i) {
            double sum = 0;
            for (std::size_t d = 0; d < dim; ++d) sum += double(points[i * dim + d] - pca.mean[d]) * loading[d];
            out[i * 2 + axis] = sign * static_cast<float>(sum);
        }
    }
    return out;
}

}  // namespace amalgam
