#include "core/data/format_detection.h"

#include <fstream>

#include "core/util/data_error.h"

namespace amalgam {

FormatSample read_format_sample(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw DataError(path.string(), 0, "is a directory, expected a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(path.string(), 0, "cannot open file (missing or unreadable)");
    FormatSample sample{path, {}, std::nullopt};
    // Only the first non-blank line is needed; the importer reads and checks the whole file.
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        sample.first_line = std::move(line);
        break;
    }
    if (sample.first_line.empty()) throw DataError(path.string(), 0, "file is empty");
    auto parsed = nlohmann::json::parse(sample.first_line, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) sample.first_object = std::move(parsed);
    return sample;
}

}  // namespace amalgam
