#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace amalgam {

/** A whole input file in memory, checked once: it exists, is not empty and is valid UTF-8
 *  (an error names the line). Importers read lines from it. */
class TextFile {
public:
    explicit TextFile(const std::filesystem::path& path);

    const std::string& path() const { return path_; }
    const std::string& content() const { return content_; }

    /** Calls fn(line_text, line_number) for every line, without the line break ('\n' or
     *  "\r\n"), numbering from 1; a UTF-8 byte-order mark on line 1 is dropped. */
    template <class Fn>
    void for_each_line(Fn&& fn) const {
        std::string_view rest(content_);
        if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
        std::size_t number = 0;
        while (!rest.empty()) {
            std::size_t end = rest.find('\n');
            std::string_view line = rest.substr(0, end);
            rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            fn(line, ++number);
        }
    }

private:
    std::string path_;
    std::string content_;
};

/** The content of a file as bytes; throws DataError when it cannot be read. */
std::string read_file_bytes(const std::filesystem::path& path);

}  // namespace amalgam
