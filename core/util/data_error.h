#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace amalgam {

/** An input that cannot be used, located as precisely as we know: file, line (1-based, 0 when
 *  the problem is the file as a whole) and the reason. what() reads "file:line: reason". */
class DataError : public std::runtime_error {
public:
    DataError(std::string file, std::size_t line, std::string reason)
        : std::runtime_error(format(file, line, reason)),
          file_(std::move(file)), line_(line), reason_(std::move(reason)) {}

    const std::string& file() const { return file_; }
    std::size_t line() const { return line_; }
    const std::string& reason() const { return reason_; }

private:
    static std::string format(const std::string& file, std::size_t line, const std::string& reason) {
        return line ? file + ":" + std::to_string(line) + ": " + reason : file + ": " + reason;
    }
    std::string file_;
    std::size_t line_;
    std::string reason_;
};

/** A problem with one record, thrown by format code that does not know where it is; the
 *  caller that owns the file position turns it into a DataError. */
class RecordError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace amalgam
