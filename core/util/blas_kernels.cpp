#include "core/util/blas_kernels.h"

#include <dlfcn.h>

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

void use_fast_blas_kernels() {
    if (std::getenv("OPENBLAS_CORETYPE")) return;
    // Looked up at run time: OpenBLAS comes in through libtorch and faiss, and may be another BLAS.
    using CoreName = char* (*)();
    using Step = void (*)();
    auto core_name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    if (!core_name || std::strcmp(core_name(), "Prescott") != 0) return;
    // A build with every kernel set (DYNAMIC_ARCH, as Debian's) chooses in these two, which
    // forget the choice and make it again from OPENBLAS_CORETYPE.
    auto forget = reinterpret_cast<Step>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
    auto choose = reinterpret_cast<Step>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
    const char* best = best_core_type();
    if (!forget || !choose || !best) return;
    setenv("OPENBLAS_CORETYPE", best, 1);
    forget();
    choose();
}

Sgemm blas_sgemm() {
    static const Sgemm sgemm = reinterpret_cast<Sgemm>(dlsym(RTLD_DEFAULT, "sgemm_"));
    return sgemm;
}

}  // namespace amalgam
