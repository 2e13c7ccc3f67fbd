#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/util/text_file.h"

namespace amalgam {

struct CsvRow {
    std::size_t line;  // where the row starts (a quoted field may span lines)
    std::vector<std::string> cells;
};

/** Rows of an RFC 4180 CSV file (quoted fields, doubled quotes, line breaks inside quotes).
 *  An unterminated quote is a DataError naming the line where the field began. */
std::vector<CsvRow> read_csv(const TextFile& file);

}  // namespace amalgam
