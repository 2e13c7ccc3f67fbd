#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace amalgam {

/** Writes every file to a temporary name beside it first and renames them all only when
 *  every write succeeded, so a failure leaves no half-written output behind. */
void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string>>& files);

inline void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
    write_files_atomically({{path, content}});
}

}  // namespace amalgam
