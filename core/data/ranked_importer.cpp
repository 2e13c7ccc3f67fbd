#include "core/data/format_detection.h"
#include "core/data/importers.h"
#include "core/data/json_lines_importer.h"
#include "core/data/json_records.h"
#include "core/util/data_error.h"

namespace amalgam {
namespace {

/** Ranked JSONL: a prompt with its answers listed best first; each answer is a string or an
 *  object with a "text" field. Answer i gets rank i. */
class RankedImporter final : public JsonLinesImporter {
public:
    std::string format() const override { return "ranked"; }

    bool detect(const FormatSample& s) const override {
        return s.has("prompt") && s.has("responses") && (*s.first_object)["responses"].is_array();
    }

    std::optional<LabelChoice> default_label() const override {
        return LabelChoice{kRankLabel, Direction::LowerIsBetter};
    }

protected:
    Prompt read_record(const nlohmann::json& r, const ImportOptions& options, std::string id) const override {
        Prompt p;
        p.source_id = std::move(id);
        p.text = require_string(r, options.field("prompt"));
        auto answers = r.find(options.field("responses"));
        if (answers == r.end() || !answers->is_array())
            throw RecordError("field '" + options.field("responses") + "' must be a list of answers");
        for (const auto& answer : *answers) {
            Response response;
            if (answer.is_string()) response.text = answer.get<std::string>();
            else if (answer.is_object()) response.text = require_string(answer, "text");
            else throw RecordError("an answer must be a string or an object with \"text\"");
            response.labels[kRankLabel] = static_cast<double>(p.responses.size());
            p.responses.push_back(std::move(response));
        }
        return p;
    }
};

}  // namespace

std::unique_ptr<Importer> make_ranked_importer() { return std::make_unique<RankedImporter>(); }

}  // namespace amalgam
