#pragma once

#include <QColor>

namespace amalgam {

/** The colour of category i: the ten Tableau colours, then hues spread by the golden angle. */
inline QRgb categoryColour(int i) {
    static const QRgb tableau[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                   0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    if (i < 10) return 0xff000000u | tableau[i];
    return QColor::fromHsv((i * 137) % 360, 170, 200).rgb();
}

}  // namespace amalgam
