#include "core/model/threads.h"

#include <algorithm>
#include <future>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>

namespace amalgam {

void use_all_cores() { at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))); }

void for_each_on_all_cores(std::int64_t count, const std::function<void(std::int64_t)>& each) {
    const std::int64_t workers = std::min<std::int64_t>(count, std::max(1, at::get_num_threads()));
    auto deal = [&](std::int64_t first) {
        for (std::int64_t i = first; i < count; i += workers) each(i);
    };
    std::vector<std::future<void>> others;
    for (std::int64_t w = 1; w < workers; ++w) others.push_back(std::async(std::launch::async, deal, w));
    deal(0);
    for (auto& other : others) other.get();
}

void for_each_row_on_all_cores(std::int64_t rows, std::int64_t width, const std::function<void(std::int64_t)>& each) {
    if (rows * width >= (1 << 16)) return for_each_on_all_cores(rows, each);
    for (std::int64_t r = 0; r < rows; ++r) each(r);
}

}  // namespace amalgam
