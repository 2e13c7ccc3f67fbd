#include "core/data/format_detection.h"

#include "core/util/text_file.h"

namespace amalgam {

FormatSample read_format_sample(const std::filesystem::path& path) {
    TextFile file(path);
    FormatSample sample{path, {}, std::nullopt};
    bool found = false;
    file.for_each_line([&](std::string_view line, std::size_t) {
        if (found || line.find_first_not_of(" \t") == std::string_view::npos) return;
        found = true;
        sample.first_line = std::string(line);
    });
    auto parsed = nlohmann::json::parse(sample.first_line, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) sample.first_object = std::move(parsed);
    return sample;
}

}  // namespace amalgam
