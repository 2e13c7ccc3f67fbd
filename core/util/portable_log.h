#pragma once

namespace amalgam {

/** The natural log of a positive finite x, within 2 ulp, from IEEE additions, multiplications
 *  and divisions alone, which give the same bits on every CPU. glibc's log does not: its FMA
 *  build rounds some results differently from its SSE2 build. */
double portable_log(double x);

}  // namespace amalgam
