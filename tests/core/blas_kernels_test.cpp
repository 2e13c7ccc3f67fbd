#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/util/blas_kernels.h"

namespace amalgam {
namespace {

/** After the switch, OpenBLAS runs kernels of the CPU's instruction set, and they multiply
 *  right: a 96 x 80 by 80 x 72 product against a plain loop in double. Each test runs in a
 *  process of its own, so the switch comes before any other BLAS work, as in main. */
TEST(BlasKernels, TheCpuGetsKernelsOfItsInstructionSetAndTheyMultiplyRight) {
    if (std::getenv("OPENBLAS_CORETYPE")) GTEST_SKIP() << "OPENBLAS_CORETYPE is set: the kernels are the user's choice";
    use_fast_blas_kernels();
    using CoreName = char* (*)();
    auto core_name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    if (!core_name) GTEST_SKIP() << "the BLAS is not OpenBLAS";
    const std::string core = core_name();
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        EXPECT_NE(core, "Prescott");
    }
#endif

    const Sgemm sgemm = blas_sgemm();
    ASSERT_NE(sgemm, nullptr);
    const int m = 96, k = 80, n = 72;  // column-major: C (m x n) = A (m x k) B (k x n)
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    std::vector<float> a(m * k), b(k * n), c(m * n, 0.0f);
    for (auto& x : a) x = value(rng);
    for (auto& x : b) x = value(rng);
    const float one = 1.0f, zero = 0.0f;
    sgemm("N", "N", &m, &n, &k, &one, a.data(), &m, b.data(), &k, &zero, c.data(), &m);
    double worst = 0;
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            double expected = 0;
            for (int p = 0; p < k; ++p) expected += double(a[i + p * m]) * b[p + j * k];
            worst = std::max(worst, std::abs(expected - c[i + j * m]));
        }
    EXPECT_LT(worst, 1e-4) << "kernels " << core;
}

}  // namespace
}  // namespace amalgam
