#pragma once

namespace amalgam {

/** OpenBLAS picks its kernels as it loads, from the CPU's model number. Debian's 0.3.21 does
 *  not know recent Xeons and falls back to its Prescott (SSE3) kernels, several times slower
 *  than the AVX2 or AVX-512 ones the CPU runs. It reads OPENBLAS_CORETYPE only as it loads, so
 *  this restarts the program once, in place, with the kernels of the CPU's instruction set:
 *  SkylakeX for AVX-512 (F, BW, DQ, VL), Haswell for AVX2 with FMA, never one the CPU lacks.
 *  It returns at once where OpenBLAS knows the CPU, is not the BLAS, or OPENBLAS_CORETYPE is
 *  already set (by the user, or by the restart). Call it first thing in main. */
void use_fast_blas_kernels(char** argv);

}  // namespace amalgam
