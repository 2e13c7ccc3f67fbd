#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace amalgam {

/** The start of a file as format detection sees it: the first non-blank line, and that line
 *  parsed as a JSON object when it is one. */
struct FormatSample {
    std::filesystem::path path;
    std::string first_line;
    std::optional<nlohmann::json> first_object;

    bool has(const char* key) const { return first_object && first_object->contains(key); }
};

FormatSample read_format_sample(const std::filesystem::path& path);

}  // namespace amalgam
