#pragma once

namespace amalgam {

/** Keeps memory that is freed in the process for its next allocations. glibc otherwise maps
 *  every block of 32 MiB or more (logits with a real vocabulary, their softmax and gradients)
 *  fresh from the kernel and unmaps it when freed, so each training or evaluation step paid for
 *  faulting in hundreds of megabytes of zeroed pages again: about half of a PPO run's time went
 *  to the kernel. The price is a peak resident size about a fifth higher, held until the
 *  process ends, so it is for the processes that compute (the command line, the benchmarks),
 *  not the workbench. Call it first thing in main; it does nothing outside glibc. */
void keep_freed_memory_for_reuse();

}  // namespace amalgam
