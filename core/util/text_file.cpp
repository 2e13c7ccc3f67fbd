#include "core/util/text_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/util/data_error.h"
#include "core/util/utf8.h"

namespace amalgam {

namespace {

/** The file opened for reading; DataError for a folder or a file that cannot be opened. */
std::ifstream open_input(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw DataError(path.string(), 0, "is a directory, expected a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(path.string(), 0, "cannot open file (missing or unreadable)");
    return in;
}

[[noreturn]] void line_too_long(const std::filesystem::path& path, std::size_t line, std::size_t max_line) {
    throw DataError(path.string(), line, "line is longer than " + std::to_string(max_line >> 20) + " MiB, the limit for one record");
}

/** The file's bytes, read in blocks so that a line beyond `max_line` (or an endless device) stops the read. */
std::string read_bounded(const std::filesystem::path& path, std::size_t max_line) {
    std::ifstream in = open_input(path);
    std::string content;
    std::size_t line = 1, line_start = 0;
    char block[1 << 16];
    while (in.read(block, sizeof block) || in.gcount() > 0) {
        const std::size_t from = content.size();
        content.append(block, static_cast<std::size_t>(in.gcount()));
        for (std::size_t at = content.find('\n', from); at != std::string::npos; at = content.find('\n', at + 1)) {
            ++line;
            line_start = at + 1;
        }
        if (content.size() - line_start > max_line) line_too_long(path, line, max_line);
    }
    return content;
}

}  // namespace

FirstLine read_first_line(const std::filesystem::path& path) {
    std::ifstream in = open_input(path);
    std::streambuf& bytes = *in.rdbuf();
    FirstLine line{{}, 1};
    // Whether the line read so far has content, once its byte-order mark and '\r' are dropped.
    const auto has_content = [&] {
        if (line.number == 1 && line.text.rfind("\xEF\xBB\xBF", 0) == 0) line.text.erase(0, 3);
        if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
        return line.text.find_first_not_of(" \t") != std::string::npos;
    };
    for (int c; (c = bytes.sbumpc()) != std::char_traits<char>::eof();) {
        if (c != '\n') {
            if (line.text.size() == TextFile::kMaxLineBytes) line_too_long(path, line.number, TextFile::kMaxLineBytes);
            line.text.push_back(static_cast<char>(c));
        } else if (has_content()) {
            return line;
        } else {
            line.text.clear();
            ++line.number;
        }
    }
    return has_content() ? line : FirstLine{};
}

std::string read_file_bytes(const std::filesystem::path& path) {
    std::ifstream in = open_input(path);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

TextFile::TextFile(const std::filesystem::path& path, Utf8Check check) : path_(path.string()), content_(read_bounded(path, kMaxLineBytes)) {
    const std::size_t start = content_.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;  // a byte-order mark alone is no content
    if (content_.find_first_not_of(" \t\r\n", start) == std::string::npos)
        throw DataError(path_, 0, "file is empty");
    if (!find_invalid_utf8(content_)) return;
    for_each_line([&](std::string_view text, std::size_t line) {
        if (auto bad = find_invalid_utf8(text)) invalid_.emplace(line, *bad + 1);
    });
    if (check == Utf8Check::WholeFile) require_valid_utf8();
}

void TextFile::require_valid_utf8() const {
    if (invalid_.empty()) return;
    const auto& [line, byte] = *invalid_.begin();
    throw DataError(path_, line, "invalid UTF-8 at byte " + std::to_string(byte) + " of the line");
}

std::optional<std::size_t> TextFile::invalid_utf8(std::size_t line) const {
    auto it = invalid_.find(line);
    if (it == invalid_.end()) return std::nullopt;
    return it->second;
}

}  // namespace amalgam
