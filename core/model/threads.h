#pragma once

#include <cstdint>
#include <functional>

namespace amalgam {

/** The threads this process should compute with: OMP_NUM_THREADS where it is set (torchrun
 *  sets 1 when it starts several processes a node), otherwise the cores it may run on (its
 *  affinity: taskset, Slurm's --cpus-per-task) shared among the LOCAL_WORLD_SIZE processes
 *  torchrun started on this node. */
int threads_for_this_process();

/** Uses those threads for libtorch and OpenMP (faiss). libtorch otherwise sees one thread on
 *  some machines, and its first use would pin OpenMP to one thread too. Call at start-up. */
void use_all_cores();

/** Calls `each(i)` for every i in [0, count), the indices dealt in turn to as many threads as
 *  libtorch uses, and returns when all are done. at::parallel_for cannot do this here: libtorch
 *  inlines its OpenMP loop into the caller, and our files are not built with -fopenmp, so it
 *  would run serially. */
void for_each_on_all_cores(std::int64_t count, const std::function<void(std::int64_t)>& each);

/** for_each_on_all_cores over `rows` rows of `width` values each, or on this thread alone
 *  where they hold fewer than 65,536 values: too little work to start threads for. */
void for_each_row_on_all_cores(std::int64_t rows, std::int64_t width, const std::function<void(std::int64_t)>& each);

}  // namespace amalgam
