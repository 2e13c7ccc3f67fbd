#include "core/model/threads.h"

#include <algorithm>
#include <thread>

#include <ATen/Parallel.h>

namespace amalgam {

void use_all_cores() { at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))); }

}  // namespace amalgam
