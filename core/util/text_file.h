#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace amalgam {

/** How a TextFile holds invalid UTF-8: as an error for the whole file on opening, or line by
 *  line for readers that can pass over a bad record. */
enum class Utf8Check { WholeFile, PerLine };

/** A file's first line that is not blank, without its line break and a byte-order mark, and
 *  that line's number; an empty text when the file has none. It reads no further than that
 *  line, and a line longer than TextFile::kMaxLineBytes is a DataError naming it, so that a
 *  look at a file's start costs what its first record does. */
struct FirstLine {
    std::string text;
    std::size_t number = 0;
};
FirstLine read_first_line(const std::filesystem::path& path);

/** A whole input file in memory, checked once: it exists, is not empty, no line is longer than
 *  kMaxLineBytes, and it is valid UTF-8 (an error names the line). Importers read lines from it. */
class TextFile {
public:
    /** The longest line read: a record is never larger; /dev/zero stops here, not at the memory's end. */
    static constexpr std::size_t kMaxLineBytes = std::size_t{16} << 20;

    explicit TextFile(const std::filesystem::path& path, Utf8Check check = Utf8Check::WholeFile);

    const std::string& path() const { return path_; }
    const std::string& content() const { return content_; }
    /** With Utf8Check::PerLine: the byte of the line (1-based) where its invalid UTF-8 starts. */
    std::optional<std::size_t> invalid_utf8(std::size_t line) const;
    /** Throws DataError for the first line with invalid UTF-8, as Utf8Check::WholeFile does on opening. */
    void require_valid_utf8() const;

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
    std::map<std::size_t, std::size_t> invalid_;  ///< line -> byte of its first invalid UTF-8
};

/** The content of a file as bytes; throws DataError when it cannot be read. */
std::string read_file_bytes(const std::filesystem::path& path);

}  // namespace amalgam
