#include "core/util/portable_log.h"

#include <cmath>

namespace amalgam {

// x = f 2^e with f in [sqrt(1/2), sqrt(2)) (frexp only moves bits), and
// log f = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...) with s = (f - 1) / (f + 1), |s| < 0.172.
double portable_log(double x) {
    int e = 0;
    double f = std::frexp(x, &e);
    if (f < 0.70710678118654752440) {
        f *= 2;
        --e;
    }
    const double s = (f - 1) / (f + 1), s2 = s * s;
    double term = s, sum = 0;
    for (int k = 1; k < 40; k += 2) {  // 20 terms: the next is below 1e-30 of the sum
        sum += term / k;
        term *= s2;
    }
    return 2 * sum + e * 0.69314718055994530942;
}

}  // namespace amalgam
