#include <unordered_map>

#include "core/data/format_detection.h"
#include "core/data/importers.h"
#include "core/data/json_records.h"
#include "core/util/data_error.h"

namespace amalgam {
namespace {

/** One OASST message, whichever export it came from. */
struct Message {
    std::string id;
    std::string parent_id;
    bool prompter = false;
    bool usable = false;  // not deleted, and review_result is not false
    std::string text;
    std::map<std::string, double> labels;
    std::size_t line = 0;  // where it is in the file
};

void read_labels(const nlohmann::json& m, const ImportOptions& options, std::map<std::string, double>& out) {
    if (auto it = m.find("detoxify"); it != m.end() && it->is_object()) collect_numbers(*it, "detoxify.", out, options);
    if (auto it = m.find("rank"); it != m.end() && it->is_number()) out[kRankLabel] = it->get<double>();
    auto it = m.find("labels");
    if (it == m.end() || !it->is_object()) return;
    const auto& labels = *it;
    if (labels.contains("name") && labels.contains("value")) {  // Hugging Face rows: parallel lists
        const auto& names = labels["name"];
        const auto& values = labels["value"];
        if (!names.is_array() || !values.is_array() || names.size() != values.size())
            throw RecordError("labels.name and labels.value must be lists of the same length");
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (!names[i].is_string()) continue;
            const std::string name = "labels." + names[i].get<std::string>();
            if (name == options.label) out[name] = label_value(name, values[i]);
            else if (values[i].is_number() && std::isfinite(values[i].get<double>())) out[name] = values[i].get<double>();
        }
    } else {  // native export: {name: {value, count}}
        for (const auto& [name, entry] : labels.items()) {
            if (!entry.is_object() || !entry.contains("value")) continue;
            if ("labels." + name == options.label) out["labels." + name] = label_value(options.label, entry["value"]);
            else if (entry["value"].is_number() && std::isfinite(entry["value"].get<double>())) out["labels." + name] = entry["value"].get<double>();
        }
    }
}

Message read_message(const nlohmann::json& m, const std::string& parent_id, const ImportOptions& options) {
    Message msg;
    msg.id = require_string(m, "message_id");
    msg.parent_id = optional_string(m, "parent_id").value_or(parent_id);
    const std::string& role = require_string(m, "role");
    if (role != "prompter" && role != "assistant") throw RecordError("role must be prompter or assistant, not '" + role + "'");
    msg.prompter = role == "prompter";
    msg.text = require_string(m, "text");
    bool deleted = m.value("deleted", false);
    auto review = m.find("review_result");
    bool rejected = review != m.end() && review->is_boolean() && !review->get<bool>();
    msg.usable = !deleted && !rejected;
    read_labels(m, options, msg.labels);
    return msg;
}

/** Depth first, parents before their replies, as the native tree export nests them. */
void flatten_tree(const nlohmann::json& node, const std::string& parent_id, const ImportOptions& options, std::vector<Message>& out) {
    if (!node.is_object()) throw RecordError("a message in the tree is not an object");
    out.push_back(read_message(node, parent_id, options));
    std::string id = out.back().id;
    if (auto replies = node.find("replies"); replies != node.end() && !replies->is_null()) {
        if (!replies->is_array()) throw RecordError("replies of message " + id + " is not a list");
        for (const auto& reply : *replies) flatten_tree(reply, id, options, out);
    }
}

/** OpenAssistant conversations in any of their exports: the flattened message rows of the
 *  Hugging Face dataset, the native tree export with nested replies, and the variant whose
 *  labels are a {name: {value, count}} dict. A prompt is a usable prompter message; its
 *  answers are its usable direct assistant replies; earlier turns become its context. */
class OasstImporter final : public Importer {
public:
    std::string format() const override { return "oasst"; }

    bool detect(const FormatSample& s) const override {
        return (s.has("message_id") && s.has("role") && s.has("text")) ||
               (s.has("message_tree_id") && s.has("prompt") && (*s.first_object)["prompt"].is_object());
    }

    std::optional<LabelChoice> default_label() const override {
        return LabelChoice{kRankLabel, Direction::LowerIsBetter};
    }

    std::vector<Prompt> read(const std::filesystem::path& path, const ImportOptions& options,
                             ImportReport& report) const override {
        std::vector<Message> messages;
        std::unordered_map<std::string, std::size_t> index;  // message_id -> position in messages
        for_each_json_record(TextFile(path, Utf8Check::PerLine), options, report, [&](const nlohmann::json& r, std::size_t line) {
            std::vector<Message> parsed;  // all of a line or nothing, so a skipped tree leaves no part behind
            if (r.contains("message_tree_id") && r.contains("prompt")) flatten_tree(r["prompt"], "", options, parsed);
            else parsed.push_back(read_message(r, "", options));
            for (std::size_t i = 0; i < parsed.size(); ++i) {
                auto seen = index.find(parsed[i].id);
                if (seen != index.end()) throw RecordError("message_id " + parsed[i].id + " is already on line " + std::to_string(messages[seen->second].line));
                for (std::size_t j = 0; j < i; ++j)
                    if (parsed[j].id == parsed[i].id) throw RecordError("message_id " + parsed[i].id + " is twice in this tree");
            }
            for (Message& m : parsed) {
                m.line = line;
                index.emplace(m.id, messages.size());
                messages.push_back(std::move(m));
            }
        });
        return build_prompts(messages, index, path);
    }

private:
    static std::vector<Prompt> build_prompts(const std::vector<Message>& messages, const std::unordered_map<std::string, std::size_t>& index,
                                             const std::filesystem::path& path) {
        std::unordered_map<std::string, std::vector<std::size_t>> replies;
        for (std::size_t i = 0; i < messages.size(); ++i)
            if (!messages[i].parent_id.empty()) replies[messages[i].parent_id].push_back(i);
        std::vector<Prompt> prompts;
        for (const auto& m : messages) {
            if (!m.prompter || !m.usable) continue;
            Prompt p;
            p.source_id = m.id;
            p.text = m.text;
            p.supervision = Supervision::Graded;
            // Earlier turns, root first; the chain ends where a parent is not in the file.
            auto it = index.find(m.parent_id);
            for (std::size_t depth = 0; it != index.end(); ++depth) {
                if (depth == messages.size())
                    throw DataError(path.string(), m.line, "the parents of message " + m.id + " form a cycle");
                const Message& turn = messages[it->second];
                p.context.insert(p.context.begin(), Turn{turn.prompter ? "user" : "assistant", turn.text});
                it = index.find(turn.parent_id);
            }
            if (auto it = replies.find(m.id); it != replies.end())
                for (std::size_t r : it->second)
                    if (!messages[r].prompter && messages[r].usable) p.responses.push_back({messages[r].text, messages[r].labels});
            prompts.push_back(std::move(p));
        }
        return prompts;
    }
};

}  // namespace

std::unique_ptr<Importer> make_oasst_importer() { return std::make_unique<OasstImporter>(); }

}  // namespace amalgam
