#include "core/model/descending_sort.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
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

/** One row's `k` first in sort_row's order, without ordering the rest. The k-th key is found a
 *  digit at a time from the most significant (11, 11, then 10 bits): the digits of the keys
 *  still in the pool (at first all) are counted, and the digit at which the count reaches the
 *  places still open is the k-th key's. Keys with a smaller digit are taken, those with the
 *  same stay in the pool. The pool ends as the keys equal to the k-th, in index order, of which
 *  the lowest indices fill the places left. Only the k taken are sorted. */
void select_row(const float* in, std::int64_t n, std::int64_t k, float* values, std::int64_t* indices) {
    std::vector<std::uint32_t> keys(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) keys[i] = descending_key(in[i]);
    std::vector<std::int64_t> pool(keys.size()), next;
    std::iota(pool.begin(), pool.end(), 0);
    std::vector<std::pair<std::uint32_t, std::int64_t>> taken;
    taken.reserve(static_cast<std::size_t>(k));
    std::int64_t open = k;
    for (const int shift : {21, 10, 0}) {
        const std::uint32_t mask = shift == 0 ? 0x3FF : 0x7FF;
        std::array<std::int64_t, 2048> count{};
        for (std::int64_t i : pool) ++count[(keys[i] >> shift) & mask];
        std::uint32_t digit = 0;
        while (count[digit] < open) open -= count[digit++];
        next.clear();
        for (std::int64_t i : pool) {
            const std::uint32_t d = (keys[i] >> shift) & mask;
            if (d < digit) taken.emplace_back(keys[i], i);
            else if (d == digit) next.push_back(i);
        }
        pool.swap(next);
    }
    for (std::int64_t j = 0; j < open; ++j) taken.emplace_back(keys[pool[j]], pool[j]);
    std::sort(taken.begin(), taken.end());
    for (std::int64_t j = 0; j < k; ++j) {
        indices[j] = taken[j].second;
        values[j] = in[indices[j]];
    }
}

}  // namespace

std::tuple<at::Tensor, at::Tensor> sort_descending(const at::Tensor& x, std::int64_t limit) {
    const std::int64_t n = x.size(-1), k = limit < 0 ? n : std::min(limit, n);
    if (!x.device().is_cpu() || x.scalar_type() != at::kFloat || x.dim() != 2) {
        auto [values, indices] = at::sort(x, /*stable=*/true, /*dim=*/1, /*descending=*/true);
        return {values.slice(1, 0, k), indices.slice(1, 0, k)};
    }
    const at::Tensor in = x.contiguous();
    const std::int64_t rows = in.size(0);
    at::Tensor values = at::empty({rows, k}, in.options()), indices = at::empty({rows, k}, in.options().dtype(at::kLong));
    const float* from = in.data_ptr<float>();
    float* to_values = values.data_ptr<float>();
    std::int64_t* to_indices = indices.data_ptr<std::int64_t>();
    // Selecting first pays where it leaves most of the row unsorted.
    auto sort = [=](std::int64_t r) {
        if (k * 8 <= n) select_row(from + r * n, n, k, to_values + r * k, to_indices + r * k);
        else if (k == n) sort_row(from + r * n, n, to_values + r * n, to_indices + r * n);
        else {
            std::vector<float> all_values(static_cast<std::size_t>(n));
            std::vector<std::int64_t> all_indices(static_cast<std::size_t>(n));
            sort_row(from + r * n, n, all_values.data(), all_indices.data());
            std::copy_n(all_values.begin(), k, to_values + r * k);
            std::copy_n(all_indices.begin(), k, to_indices + r * k);
        }
    };
    for_each_row_on_all_cores(rows, n, sort);
    return {values, indices};
}

}  // namespace amalgam
