#include "core/model/threads.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <future>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>

namespace amalgam {

namespace {

/** A positive whole number from the environment variable `name`, or 0. */
int positive_variable(const char* name) {
    const char* text = std::getenv(name);
    if (!text) return 0;
    char* end = nullptr;
    const long n = std::strtol(text, &end, 10);
    return end != text && *end == '\0' && n > 0 && n < (1 << 16) ? static_cast<int>(n) : 0;
}

}  // namespace

int threads_for_this_process() {
    if (const int n = positive_variable("OMP_NUM_THREADS")) return n;
    cpu_set_t allowed;
    const int cores = sched_getaffinity(0, sizeof allowed, &allowed) == 0 ? CPU_COUNT(&allowed)
                                                                          : static_cast<int>(std::thread::hardware_concurrency());
    return std::max(1, cores / std::max(1, positive_variable("LOCAL_WORLD_SIZE")));
}

void use_all_cores() { at::set_num_threads(threads_for_this_process()); }

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
