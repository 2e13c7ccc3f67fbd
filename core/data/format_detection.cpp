#include "core/data/format_detection.h"

#include "core/util/data_error.h"
#include "core/util/text_file.h"

namespace amalgam {

FormatSample read_format_sample(const std::filesystem::path& path) {
    // Only the first non-blank line is needed; the importer reads and checks the whole file.
    FirstLine first = read_first_line(path);
    if (first.text.empty()) throw DataError(path.string(), 0, "file is empty");
    FormatSample sample{path, std::move(first.text), std::nullopt};
    auto parsed = nlohmann::json::parse(sample.first_line, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) sample.first_object = std::move(parsed);
    return sample;
}

}  // namespace amalgam
