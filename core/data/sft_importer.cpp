#include "core/data/format_detection.h"
#include "core/data/importers.h"
#include "core/data/json_lines_importer.h"
#include "core/data/json_records.h"
#include "core/util/data_error.h"

namespace amalgam {
namespace {

/** SFT-style JSONL (instruction / input / output): one demonstration per prompt. Such data
 *  trains SFT; it gives no preference pair, so curation counts it as single-answer. */
class SftImporter final : public JsonLinesImporter {
public:
    std::string format() const override { return "sft"; }

    bool detect(const FormatSample& s) const override { return s.has("instruction") && s.has("output"); }

protected:
    Prompt read_record(const nlohmann::json& r, const ImportOptions& options, std::string id) const override {
        Prompt p;
        p.source_id = std::move(id);
        p.text = require_string(r, options.field("instruction"));
        if (auto input = optional_string(r, options.field("input")); input && !input->empty()) p.text += "\n\n" + *input;
        p.responses = {{require_string(r, options.field("output")), {}}};
        p.supervision = Supervision::Unlabelled;
        return p;
    }
};

}  // namespace

std::unique_ptr<Importer> make_sft_importer() { return std::make_unique<SftImporter>(); }

}  // namespace amalgam
