#include "core/util/blas_kernels.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace amalgam {
namespace {

/** The OpenBLAS kernels this CPU's instruction set runs best, or null. */
const char* best_core_type() {
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return nullptr;
}

}  // namespace

void use_fast_blas_kernels(char** argv) {
    if (std::getenv("OPENBLAS_CORETYPE")) return;
    // Looked up at run time: OpenBLAS comes in through libtorch and faiss, and may be another BLAS.
    using CoreName = char* (*)();
    auto core_name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    if (!core_name || std::strcmp(core_name(), "Prescott") != 0) return;
    const char* best = best_core_type();
    if (!best) return;
    setenv("OPENBLAS_CORETYPE", best, 1);
    execv("/proc/self/exe", argv);  // returns only if the restart failed: go on with the slow kernels
}

}  // namespace amalgam
