#include "core/util/text_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/util/data_error.h"
#include "core/util/utf8.h"

namespace amalgam {

std::string read_file_bytes(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw DataError(path.string(), 0, "is a directory, expected a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(path.string(), 0, "cannot open file (missing or unreadable)");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

TextFile::TextFile(const std::filesystem::path& path) : path_(path.string()), content_(read_file_bytes(path)) {
    if (content_.find_first_not_of(" \t\r\n") == std::string::npos)
        throw DataError(path_, 0, "file is empty");
    if (auto bad = find_invalid_utf8(content_)) {
        std::size_t line = 1 + static_cast<std::size_t>(std::count(content_.begin(), content_.begin() + *bad, '\n'));
        std::size_t line_start = content_.rfind('\n', *bad);
        std::size_t column = *bad - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
        throw DataError(path_, line, "invalid UTF-8 at byte " + std::to_string(column) + " of the line");
    }
}

}  // namespace amalgam
