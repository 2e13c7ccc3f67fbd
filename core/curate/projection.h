#pragma once

#include <cstddef>
#include <vector>

namespace amalgam {

/** The plane of the first two principal components of row-major points (n x dim). Each axis
 *  is oriented so that its largest loading is positive, which makes the map the same from run
 *  to run. Fewer than two points (or dimensions) give a plane that maps everything to zero. */
class MapProjection {
public:
    MapProjection(const std::vector<float>& points, std::size_t dim);
    /** Any points of the same dimension, as n (x, y) pairs in this plane. */
    std::vector<float> operator()(const std::vector<float>& points) const;

private:
    std::size_t dim_;
    std::vector<float> mean_;  ///< [dim]
    std::vector<float> axes_;  ///< [2, dim], empty when there is no plane
};

/** The points in the plane of their own first two principal components. */
std::vector<float> project_2d(const std::vector<float>& points, std::size_t dim);

}  // namespace amalgam
