#pragma once

namespace amalgam {

/** OpenBLAS picks its kernels as it loads, from the CPU's model number. Debian's 0.3.21 does
 *  not know recent Xeons and falls back to its Prescott (SSE3) kernels, several times slower
 *  than the AVX2 or AVX-512 ones the CPU runs. This switches it, in place, to the kernels of
 *  the CPU's instruction set: SkylakeX for AVX-512 (F, BW, DQ, VL), Haswell for AVX2 with FMA,
 *  never one the CPU lacks. It sets OPENBLAS_CORETYPE, which OpenBLAS reads as it chooses, so
 *  that the processes this one starts load with those kernels from the first. It does nothing
 *  where OpenBLAS knows the CPU, is not the BLAS, or OPENBLAS_CORETYPE is already set. Call it
 *  first thing in main, before any BLAS work. */
void use_fast_blas_kernels();

/** BLAS's single-precision matrix product (Fortran interface), the routine libtorch's CPU
 *  products call, found at run time as libtorch finds it; null where no BLAS provides it. */
using Sgemm = void (*)(const char* transa, const char* transb, const int* m, const int* n, const int* k, const float* alpha,
                       const float* a, const int* lda, const float* b, const int* ldb, const float* beta, float* c, const int* ldc);
Sgemm blas_sgemm();

}  // namespace amalgam
