#include "core/data/json_lines_importer.h"

#include "core/data/json_records.h"

namespace amalgam {

std::vector<Prompt> JsonLinesImporter::read(const std::filesystem::path& path, const ImportOptions& options,
                                            ImportReport& report) const {
    std::vector<Prompt> prompts;
    for_each_json_record(TextFile(path), options, report, [&](const nlohmann::json& r, std::size_t line) {
        prompts.push_back(read_record(r, options, record_id(r, options, path, line)));
    });
    return prompts;
}

}  // namespace amalgam
