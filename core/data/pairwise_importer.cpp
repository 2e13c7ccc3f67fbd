#include "core/data/format_detection.h"
#include "core/data/importers.h"
#include "core/data/json_lines_importer.h"
#include "core/data/json_records.h"
#include "core/data/transcript.h"
#include "core/util/data_error.h"

namespace amalgam {

namespace {

/** Splits two HH transcripts into the shared conversation and the two final answers. */
Prompt from_transcripts(const std::string& chosen, const std::string& rejected) {
    auto a = parse_transcript(chosen), b = parse_transcript(rejected);
    if (a.size() < 2 || a.back().role != "assistant" || b.size() != a.size() || b.back().role != "assistant")
        throw RecordError("chosen and rejected must be transcripts that end in an Assistant turn");
    for (std::size_t i = 0; i + 1 < a.size(); ++i)
        if (a[i].text != b[i].text || a[i].role != b[i].role)
            throw RecordError("chosen and rejected transcripts differ before their last answer");
    Prompt p;
    p.text = a[a.size() - 2].text;
    p.context.assign(a.begin(), a.end() - 2);
    p.responses = {{a.back().text, {}}, {b.back().text, {}}};
    return p;
}

/** Pairwise preference JSONL: prompt/chosen/rejected, or Anthropic-HH style records whose
 *  chosen and rejected are whole transcripts sharing everything but the last answer. */
class PairwiseImporter final : public JsonLinesImporter {
public:
    std::string format() const override { return "pairwise"; }

    bool detect(const FormatSample& s) const override { return s.has("chosen") && s.has("rejected"); }

protected:
    Prompt read_record(const nlohmann::json& r, const ImportOptions& options, std::string id) const override {
        const std::string& chosen = require_string(r, options.field("chosen"));
        const std::string& rejected = require_string(r, options.field("rejected"));
        Prompt p;
        if (auto prompt = optional_string(r, options.field("prompt"))) {
            p.text = *prompt;
            p.responses = {{chosen, {}}, {rejected, {}}};
        } else if (options.fields.count("prompt")) {  // a mapping names the prompt: it is not meant to be a transcript
            throw RecordError("missing field '" + options.field("prompt") + "' (the prompt, by the field mapping)");
        } else {
            p = from_transcripts(chosen, rejected);
        }
        p.source_id = std::move(id);
        p.supervision = Supervision::Binary;
        return p;
    }
};

}  // namespace

std::unique_ptr<Importer> make_pairwise_importer() { return std::make_unique<PairwiseImporter>(); }

}  // namespace amalgam
