#pragma once

#include <nlohmann/json.hpp>

#include "core/data/importer.h"

namespace amalgam {

/** An importer of JSON Lines with one prompt per record: subclasses read one record, this
 *  class handles the file, the line numbers, ids (a repeated one is a bad line naming the
 *  first) and bad lines. */
class JsonLinesImporter : public Importer {
public:
    std::vector<Prompt> read(const std::filesystem::path& path, const ImportOptions& options,
                             ImportReport& report) const override;

protected:
    /// One record as a prompt; `id` is the record's id field or "file:line". Throws RecordError.
    virtual Prompt read_record(const nlohmann::json& record, const ImportOptions& options, std::string id) const = 0;
};

}  // namespace amalgam
