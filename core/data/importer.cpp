#include "core/data/importer.h"

#include <stdexcept>

#include "core/data/format_detection.h"
#include "core/data/importers.h"
#include "core/util/data_error.h"
#include "core/util/sha256.h"
#include "core/util/text_file.h"

namespace amalgam {

const std::vector<std::unique_ptr<Importer>>& importers() {
    static const auto all = [] {
        std::vector<std::unique_ptr<Importer>> v;
        // Specific formats first: the generic ones below accept more shapes.
        v.push_back(make_winogrande_importer());
        v.push_back(make_oasst_importer());
        v.push_back(make_winobias_importer());
        v.push_back(make_winogender_importer());
        v.push_back(make_pairwise_importer());
        v.push_back(make_ranked_importer());
        v.push_back(make_sft_importer());
        v.push_back(make_rated_importer());
        return v;
    }();
    return all;
}

const Importer& importer_for(const std::string& format) {
    std::string known;
    for (const auto& importer : importers()) {
        if (importer->format() == format) return *importer;
        known += (known.empty() ? "" : ", ") + importer->format();
    }
    throw std::invalid_argument("unknown format '" + format + "' (known: auto, " + known + ")");
}

std::string detect_format(const std::filesystem::path& path) {
    FormatSample sample = read_format_sample(path);
    for (const auto& importer : importers())
        if (importer->detect(sample)) return importer->format();
    throw DataError(path.string(), 1, "unrecognised format; name it with format: in the recipe");
}

std::string content_hash(const std::filesystem::path& path, const std::string& format) {
    Sha256 hash;
    for (const auto& file : importer_for(format).input_files(path)) hash.update(read_file_bytes(file));
    return hash.hex_digest();
}

Dataset import_dataset(const std::filesystem::path& path, const std::string& format, const ImportOptions& options) {
    Dataset dataset;
    dataset.format = (format.empty() || format == "auto") ? detect_format(path) : format;
    const Importer& importer = importer_for(dataset.format);
    dataset.prompts = importer.read(path, options, dataset.report);
    dataset.content_hash = content_hash(path, dataset.format);
    return dataset;
}

std::set<std::string> label_names(const std::vector<Prompt>& prompts) {
    std::set<std::string> names;
    for (const auto& p : prompts)
        for (const auto& r : p.responses)
            for (const auto& kv : r.labels) names.insert(kv.first);
    return names;
}

}  // namespace amalgam
