#include "core/data/format_detection.h"
#include "core/data/importers.h"
#include "core/data/json_records.h"
#include "core/util/data_error.h"

namespace amalgam {
namespace {

/** SFT-style JSONL (instruction / input / output): one demonstration per prompt. Such data
 *  trains SFT; it gives no preference pair, so curation counts it as single-answer. */
class SftImporter final : public Importer {
public:
    std::string format() const override { return "sft"; }

    bool detect(const FormatSample& s) const override { return s.has("instruction") && s.has("output"); }

    std::vector<Prompt> read(const std::filesystem::path& path, const ImportOptions& options,
                             ImportReport& report) const override {
        std::vector<Prompt> prompts;
        for_each_json_record(TextFile(path), options, report, [&](const nlohmann::json& r, std::size_t line) {
            Prompt p;
            p.source_id = record_id(r, options, path, line);
            p.text = require_string(r, options.field("instruction"));
            if (auto input = optional_string(r, options.field("input")); input && !input->empty()) p.text += "\n\n" + *input;
            p.responses = {{require_string(r, options.field("output")), {}}};
            p.supervision = Supervision::Unlabelled;
            prompts.push_back(std::move(p));
        });
        return prompts;
    }
};

}  // namespace

std::unique_ptr<Importer> make_sft_importer() { return std::make_unique<SftImporter>(); }

}  // namespace amalgam
