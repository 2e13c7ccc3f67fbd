#include "core/data/json_lines_importer.h"

#include <unordered_map>

#include "core/data/json_records.h"
#include "core/util/data_error.h"

namespace amalgam {

std::vector<Prompt> JsonLinesImporter::read(const std::filesystem::path& path, const ImportOptions& options,
                                            ImportReport& report) const {
    std::vector<Prompt> prompts;
    std::unordered_map<std::string, std::size_t> lines;  // id -> the line that has it
    for_each_json_record(TextFile(path, Utf8Check::PerLine), options, report, [&](const nlohmann::json& r, std::size_t line) {
        Prompt p = read_record(r, options, record_id(r, options, path, line));
        if (auto [at, fresh] = lines.try_emplace(p.source_id, line); !fresh)
            throw RecordError("id " + p.source_id + " is already on line " + std::to_string(at->second));
        prompts.push_back(std::move(p));
    });
    return prompts;
}

}  // namespace amalgam
