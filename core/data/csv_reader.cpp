#include "core/data/csv_reader.h"

#include "core/util/data_error.h"

namespace amalgam {

std::vector<CsvRow> read_csv(const TextFile& file) {
    const std::string& s = file.content();
    std::vector<CsvRow> rows;
    std::size_t i = s.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
    std::size_t line = 1;
    while (i < s.size()) {
        CsvRow row{line, {}};
        std::string cell;
        bool row_done = false;
        while (!row_done) {
            if (i < s.size() && s[i] == '"') {
                std::size_t quote_line = line;
                ++i;
                for (;;) {
                    if (i >= s.size()) throw DataError(file.path(), quote_line, "unterminated quoted field");
                    if (s[i] == '"') {
                        if (i + 1 < s.size() && s[i + 1] == '"') { cell += '"'; i += 2; continue; }
                        ++i;
                        break;
                    }
                    if (s[i] == '\n') ++line;
                    cell += s[i++];
                }
            }
            while (i < s.size() && s[i] != ',' && s[i] != '\n') cell += s[i++];
            if (!cell.empty() && cell.back() == '\r' && (i >= s.size() || s[i] == '\n')) cell.pop_back();
            row.cells.push_back(std::move(cell));
            cell.clear();
            if (i >= s.size() || s[i] == '\n') {
                row_done = true;
                if (i < s.size()) ++line;
            }
            ++i;
        }
        bool blank = row.cells.size() == 1 && row.cells[0].empty();
        if (!blank) rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace amalgam
