#pragma once

#include <cstddef>
#include <vector>

namespace amalgam {

/** The first two principal components of row-major points (n x dim), as n (x, y) pairs.
 *  Each axis is oriented so that its largest loading is positive, which makes the map the
 *  same from run to run. Fewer than two points give zeros. */
std::vector<float> project_2d(const std::vector<float>& points, std::size_t dim);

}  // namespace amalgam
