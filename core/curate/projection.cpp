#include "core/curate/projection.h"

#include <cmath>

#include <faiss/VectorTransform.h>

namespace amalgam {

using FaissId = faiss::Index::idx_t;

MapProjection::MapProjection(const std::vector<float>& points, std::size_t dim) : dim_(dim) {
    const std::size_t n = dim ? points.size() / dim : 0;
    if (n < 2 || dim < 2) return;
    faiss::PCAMatrix pca(static_cast<int>(dim), 2);
    pca.train(static_cast<FaissId>(n), points.data());
    mean_.assign(pca.mean.begin(), pca.mean.begin() + static_cast<std::ptrdiff_t>(dim));
    axes_.assign(pca.A.begin(), pca.A.begin() + static_cast<std::ptrdiff_t>(2 * dim));
    for (int axis = 0; axis < 2; ++axis) {
        float* loading = &axes_[axis * dim];
        std::size_t largest = 0;
        for (std::size_t d = 1; d < dim; ++d)
            if (std::fabs(loading[d]) > std::fabs(loading[largest])) largest = d;
        if (loading[largest] < 0)
            for (std::size_t d = 0; d < dim; ++d) loading[d] = -loading[d];
    }
}

std::vector<float> MapProjection::operator()(const std::vector<float>& points) const {
    const std::size_t n = dim_ ? points.size() / dim_ : 0;
    std::vector<float> out(n * 2, 0.0f);
    if (axes_.empty()) return out;
    for (std::size_t i = 0; i < n; ++i)
        for (int axis = 0; axis < 2; ++axis) {
            double sum = 0;
            for (std::size_t d = 0; d < dim_; ++d) sum += double(points[i * dim_ + d] - mean_[d]) * axes_[axis * dim_ + d];
            out[i * 2 + axis] = static_cast<float>(sum);
        }
    return out;
}

std::vector<float> project_2d(const std::vector<float>& points, std::size_t dim) { return MapProjection(points, dim)(points); }

}  // namespace amalgam
