#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/data/import_options.h"
#include "core/data/label_choice.h"
#include "core/data/record.h"

namespace amalgam {

struct FormatSample;

/** Reads one dataset format into prompts. Every format implements this one interface; the
 *  registry below finds them by name or by content. */
class Importer {
public:
    virtual ~Importer() = default;

    /// The name used in recipes and reports ("winogrande", "oasst", ...).
    virtual std::string format() const = 0;
    /// Whether the start of a file looks like this format (with default field names).
    virtual bool detect(const FormatSample& sample) const = 0;
    /// Every file an import of `path` reads; their bytes make up the content hash.
    virtual std::vector<std::filesystem::path> input_files(const std::filesystem::path& path) const {
        return {path};
    }
    /// The label graded data is ordered by when the recipe names none.
    virtual std::optional<LabelChoice> default_label() const { return std::nullopt; }

    virtual std::vector<Prompt> read(const std::filesystem::path& path, const ImportOptions& options,
                                     ImportReport& report) const = 0;
};

/** Every importer, in the order format detection tries them. */
const std::vector<std::unique_ptr<Importer>>& importers();

/** The importer for a format name; throws std::invalid_argument listing the known names. */
const Importer& importer_for(const std::string& format);

/** The format of a file judged by its content; throws DataError when nothing matches. */
std::string detect_format(const std::filesystem::path& path);

/** SHA-256 over the bytes of every file an import of `path` in `format` reads. */
std::string content_hash(const std::filesystem::path& path, const std::string& format);

/** Reads a dataset; format "auto" (or empty) detects it from the content. */
Dataset import_dataset(const std::filesystem::path& path, const std::string& format,
                       const ImportOptions& options = {});

}  // namespace amalgam
