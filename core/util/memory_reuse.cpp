#include "core/util/memory_reuse.h"

#include <climits>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace amalgam {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_MAX, 0);              // every block from the heap, which freed blocks return to
    mallopt(M_TRIM_THRESHOLD, INT_MAX);  // and the heap is not handed back to the kernel
#endif
}

}  // namespace amalgam
