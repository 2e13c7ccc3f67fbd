#include "core/data/format_detection.h"
#include "core/data/importers.h"
#include "core/data/json_records.h"
#include "core/util/data_error.h"

namespace amalgam {
namespace {

/** WinoGrande JSON Lines: qID, sentence with "_", option1, option2, answer "1"/"2". A file
 *  without answers (the test split) is read as evaluation-only. */
class WinograndeImporter final : public Importer {
public:
    std::string format() const override { return "winogrande"; }

    bool detect(const FormatSample& s) const override {
        return s.has("qID") && s.has("sentence") && s.has("option1") && s.has("option2");
    }

    std::vector<Prompt> read(const std::filesystem::path& path, const ImportOptions& options,
                             ImportReport& report) const override {
        std::vector<Prompt> prompts;
        bool any_answer = false, any_missing = false;
        for_each_json_record(TextFile(path), options, report, [&](const nlohmann::json& r, std::size_t) {
            Prompt p;
            p.source_id = require_string(r, "qID");
            p.text = require_string(r, "sentence");
            if (p.text.find('_') == std::string::npos) throw RecordError("sentence has no '_' blank");
            std::string option1 = require_string(r, "option1"), option2 = require_string(r, "option2");
            auto answer = optional_string(r, "answer");
            if (!answer || answer->empty()) {
                any_missing = true;
                p.supervision = Supervision::Unlabelled;
                p.responses = {{option1, {}}, {option2, {}}};
            } else if (*answer == "1" || *answer == "2") {
                any_answer = true;
                p.supervision = Supervision::Binary;
                p.responses = *answer == "1" ? std::vector<Response>{{option1, {}}, {option2, {}}}
                                             : std::vector<Response>{{option2, {}}, {option1, {}}};
            } else {
                throw RecordError("answer must be \"1\" or \"2\", not \"" + *answer + "\"");
            }
            prompts.push_back(std::move(p));
        });
        if (any_answer && any_missing)
            throw DataError(path.string(), 0, "some records have an answer and some do not; split the file");
        return prompts;
    }
};

}  // namespace

std::unique_ptr<Importer> make_winogrande_importer() { return std::make_unique<WinograndeImporter>(); }

}  // namespace amalgam
