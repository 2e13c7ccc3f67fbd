#include "core/model/descending_sort.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "core/model/threads.h"

namespace amalgam {
namespace {

/** An unsigned key whose ascending order is the floats' descending order: -0 as +0, and every
 *  NaN as one NaN above +inf (so first), as at::sort orders them. */
std::uint32_t descending_key(float value) {
    if (std::isnan(value)) value = std::numeric_limits<float>::quiet_NaN();
    value += 0.0f;  // -0 becomes +0
    std::uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    const std::uint32_t ascending = (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
    return ~ascending;
}

/** One row: a byte at a time from the least significant, each pass stable, so equal keys keep
 *  their ascending index. */
void sort_row(const float* in, std::int64_t n, float* values, std::int64_t* indices) {
    std::vector<std::uint32_t> keys(static_cast<std::size_t>(n)), spare_keys(keys.size());
    std::vector<std::int64_t> spare_indices(keys.size());
    for (std::int64_t i = 0; i < n; ++i) {
        keys[i] = descending_key(in[i]);
        indices[i] = i;
    }
    std::uint32_t* from_keys = keys.data();
    std::uint32_t* to_keys = spare_keys.data();
    std::int64_t* from_indices = indices;
    std::int64_t* to_indices = spare_indices.data();
    for (int shift = 0; shift < 32; shift += 8) {
        std::array<std::int64_t, 257> start{};
        for (std::int64_t i = 0; i < n; ++i) ++start[((from_keys[i] >> shift) & 0xFF) + 1];
        for (int b = 0; b < 256; ++b) start[b + 1] += start[b];
        for (std::int64_t i = 0; i < n; ++i) {
            const std::int64_t at = start[(from_keys[i] >> shift) & 0xFF]++;
            to_keys[at] = from_keys[i];
            to_indices[at] = from_indices[i];
        }
        std::swap(from_keys, to_keys);
        std::swap(from_indices, to_indices);
    }
    // After four passes the order is back in `indices`.
    for (std::int64_t i = 0; i < n; ++i) values[i] = in[indices[i]];
}

}  // namespace

std::tuple<at::Tensor, at::Tensor> sort_descending(const at::Tensor& x) {
    if (!x.device().is_cpu() || x.scalar_type() != at::kFloat || x.dim() != 2)
        return at::sort(x, /*stable=*/true, /*dim=*/1, /*descending=*/true);
    const at::Tensor in = x.contiguous();
    const std::int64_t rows = in.size(0), n = in.size(1);
    at::Tensor values = at::empty_like(in), indices = at::empty({rows, n}, in.options().dtype(at::kLong));
    const float* from = in.data_ptr<float>();
    float* to_values = values.data_ptr<float>();
    std::int64_t* to_indices = indices.data_ptr<std::int64_t>();
    auto sort = [=](std::int64_t r) { sort_row(from + r * n, n, to_values + r * n, to_indices + r * n); };
    for_each_row_on_all_cores(rows, n, sort);
    return {values, indices};
}

}  // namespace amalgam
