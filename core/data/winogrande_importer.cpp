#include <algorithm>

#include "core/data/format_detection.h"
#include "core/data/importers.h"
#include "core/data/json_lines_importer.h"
#include "core/data/json_records.h"
#include "core/util/data_error.h"

namespace amalgam {
namespace {

/** WinoGrande JSON Lines: qID, sentence with "_", option1, option2, answer "1"/"2". A file
 *  without answers (the test split) is read as evaluation-only. */
class WinograndeImporter final : public JsonLinesImporter {
public:
    std::string format() const override { return "winogrande"; }

    bool detect(const FormatSample& s) const override {
        return s.has("qID") && s.has("sentence") && s.has("option1") && s.has("option2");
    }

    std::vector<Prompt> read(const std::filesystem::path& path, const ImportOptions& options,
                             ImportReport& report) const override {
        auto prompts = JsonLinesImporter::read(path, options, report);
        auto unlabelled = std::count_if(prompts.begin(), prompts.end(),
                                        [](const Prompt& p) { return p.supervision == Supervision::Unlabelled; });
        if (unlabelled > 0 && unlabelled < static_cast<std::ptrdiff_t>(prompts.size()))
            throw DataError(path.string(), 0, "some records have an answer and some do not; split the file");
        return prompts;
    }

protected:
    Prompt read_record(const nlohmann::json& r, const ImportOptions&, std::string) const override {
        Prompt p;
        p.source_id = require_string(r, "qID");
        p.text = require_string(r, "sentence");
        if (p.text.find('_') == std::string::npos) throw RecordError("sentence has no '_' blank");
        std::string option1 = require_string(r, "option1"), option2 = require_string(r, "option2");
        auto answer = optional_string(r, "answer");
        if (!answer || answer->empty()) {
            p.supervision = Supervision::Unlabelled;
            p.responses = {{option1, {}}, {option2, {}}};
        } else if (*answer == "1" || *answer == "2") {
            p.supervision = Supervision::Binary;
            if (*answer == "2") std::swap(option1, option2);
            p.responses = {{option1, {}}, {option2, {}}};
        } else {
            throw RecordError("answer must be \"1\" or \"2\", not \"" + *answer + "\"");
        }
        return p;
    }
};

}  // namespace

std::unique_ptr<Importer> make_winogrande_importer() { return std::make_unique<WinograndeImporter>(); }

}  // namespace amalgam
