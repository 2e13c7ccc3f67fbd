#include "core/train/train_data.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/eval/context_format.h"
#include "core/train/train_config.h"
#include "core/util/data_error.h"
#include "core/util/text_file.h"

namespace amalgam {
namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

/** A text field of a row; nullopt when absent, an error when present but not text. */
std::optional<std::string> text_field(const nlohmann::json& row, const char* name, const DataError& where) {
    auto it = row.find(name);
    if (it == row.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw DataError(where.file(), where.line(), std::string("field '") + name + "' must be text");
    return it->get<std::string>();
}

/** The earlier turns of a row: [{role, text}] as curate writes them, or {role, content}. */
std::vector<ChatMessage> context_field(const nlohmann::json& row, const DataError& where) {
    std::vector<ChatMessage> turns;
    auto it = row.find("context");
    if (it == row.end() || it->is_null()) return turns;
    auto bad = [&](const std::string& what) { return DataError(where.file(), where.line(), "field 'context' " + what); };
    if (!it->is_array()) throw bad("must be a list of turns");
    for (const nlohmann::json& turn : *it) {
        if (!turn.is_object() || !turn.contains("role") || !turn["role"].is_string()) throw bad("must give each turn a role");
        const std::string role = turn["role"].get<std::string>();
        if (role != "user" && role != "assistant" && role != "system") throw bad("has a turn of role '" + role + "' (user, assistant or system)");
        const char* key = turn.contains("text") ? "text" : "content";
        if (!turn.contains(key) || !turn[key].is_string()) throw bad("must give each turn its text");
        turns.push_back({role, turn[key].get<std::string>()});
    }
    return turns;
}

}  // namespace

std::vector<TrainRow> read_train_rows(const std::filesystem::path& path, RowShape shape) {
    const bool pairs = shape == RowShape::Pair, prompts_only = shape == RowShape::Prompt, labelled = shape == RowShape::Labelled;
    TextFile file(path);
    std::vector<TrainRow> rows;
    file.for_each_line([&](std::string_view line, std::size_t number) {
        if (line.find_first_not_of(" \t") == std::string_view::npos) return;
        const DataError here(file.path(), number, "");
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error& e) {
            throw DataError(file.path(), number, std::string("not valid JSON: ") + e.what());
        }
        if (!j.is_object()) throw DataError(file.path(), number, "a row must be a JSON object");
        TrainRow row;
        row.line = number;
        auto missing = [&](const char* field, const char* needs) {
            throw DataError(file.path(), number, std::string("missing field '") + field + "' (" + needs + ")");
        };
        if (labelled && !j.contains("chosen")) {
            auto prompt = text_field(j, "prompt", here);
            auto completion = text_field(j, "completion", here);
            if (!completion) completion = text_field(j, "response", here);
            if (!prompt) missing("prompt", "a labelled row needs prompt, completion and label");
            if (!completion) missing("completion", "a labelled row needs prompt, completion and label");
            auto label = j.find("label");
            if (label == j.end() || label->is_null()) missing("label", "a labelled row needs prompt, completion and label");
            if (!label->is_boolean()) throw DataError(file.path(), number, "field 'label' must be true or false");
            row.prompt = *prompt;
            row.chosen = *completion;
            row.desirable = label->get<bool>();
            row.context = context_field(j, here);
            rows.push_back(std::move(row));
            return;
        }
        if (auto instruction = text_field(j, "instruction", here)) {
            row.prompt = *instruction;
            if (auto input = text_field(j, "input", here); input && !input->empty()) row.prompt += "\n\n" + *input;
            auto output = text_field(j, "output", here);
            if (!output && !prompts_only) missing("output", "an instruction row needs instruction and output");
            row.chosen = output.value_or("");
        } else {
            const char* needs = pairs           ? "a pair needs prompt, chosen and rejected"
                                : prompts_only ? "a row needs a prompt"
                                               : "a row needs prompt and response (or chosen)";
            auto prompt = text_field(j, "prompt", here);
            if (!prompt) missing("prompt", needs);
            row.prompt = *prompt;
            auto chosen = text_field(j, "chosen", here);
            if (!chosen && !pairs) chosen = text_field(j, "response", here);
            if (!chosen && !prompts_only) missing(pairs ? "chosen" : "response", needs);
            row.chosen = chosen.value_or("");
        }
        row.context = context_field(j, here);
        if (pairs || labelled) {
            auto rejected = text_field(j, "rejected", here);
            if (!rejected) missing("rejected", "a pair needs prompt, chosen and rejected");
            row.rejected = *rejected;
        }
        if (labelled) {  // the pair as two labelled completions
            TrainRow undesirable = row;
            undesirable.chosen = std::move(undesirable.rejected);
            undesirable.rejected.clear();
            undesirable.desirable = false;
            row.rejected.clear();
            rows.push_back(std::move(row));
            rows.push_back(std::move(undesirable));
            return;
        }
        rows.push_back(std::move(row));
    });
    if (rows.empty()) throw DataError(file.path(), 0, "no training rows");
    return rows;
}

TextFormat text_format(const std::string& prompt_template, const std::filesystem::path& model_dir) {
    TextFormat format;
    const bool chat = prompt_template == "chat";
    format.fill_in = chat ? TrainConfig{}.prompt_template : prompt_template;  // a folder without a chat template keeps the default
    if (chat) format.chat = ChatTemplate::load(model_dir);
    return format;
}

std::string format_text(const TextFormat& format) { return format.chat ? format.chat->text() : format.fill_in; }

TextEncoder::TextEncoder(const Tokenizer& tokenizer, TextFormat format, std::optional<std::int32_t> eos, std::int64_t max_length)
    : tokenizer_(tokenizer), format_(std::move(format)), eos_(eos), max_length_(static_cast<std::size_t>(max_length)) {}

std::pair<std::string, std::string> TextEncoder::texts(const std::string& prompt, const std::string& response,
                                                       const std::vector<ChatMessage>& context) const {
    if (format_.chat) {
        ChatTemplate::Rendered r = format_.chat->render_turn(context, prompt, response);
        return {std::move(r.prompt), std::move(r.full)};
    }
    const std::string& fill_in = format_.fill_in;
    const std::size_t at = fill_in.find("{response}");
    const std::string before = replace_all(fill_in.substr(0, at), "{prompt}", prompt);
    return {before, before + response + fill_in.substr(at + std::string("{response}").size())};
}

std::vector<std::int32_t> TextEncoder::tokens(const std::string& text) const { return tokenizer_.encode(text, !format_.chat); }

std::optional<std::int32_t> TextEncoder::turn_end_token() const {
    return format_.chat ? amalgam::turn_end_token(*format_.chat, tokenizer_) : std::nullopt;
}

EncodedText TextEncoder::encode(const std::string& prompt, const std::string& response, const std::vector<ChatMessage>& context) const {
    const auto [before, whole] = texts(prompt, response, context);
    EncodedText out;
    out.ids = tokens(whole);
    // The prompt ends where the whole text stops agreeing with the prompt alone: a token that
    // straddles the boundary counts as response.
    const std::vector<std::int32_t> head = tokens(before);
    out.response_start = static_cast<std::size_t>(
        std::mismatch(head.begin(), head.end(), out.ids.begin(), out.ids.end()).first - head.begin());
    if (eos_ && !format_.chat) out.ids.push_back(*eos_);  // a chat template closes the turn itself
    if (out.ids.size() > max_length_) {
        out.truncated = true;
        const std::size_t prompt = out.response_start, response = out.ids.size() - prompt;
        const std::size_t keep_prompt = std::min(prompt, std::max(max_length_ - std::min(response, max_length_), max_length_ / 2));
        std::vector<std::int32_t> ids(out.ids.begin() + static_cast<std::ptrdiff_t>(prompt - keep_prompt),
                                      out.ids.begin() + static_cast<std::ptrdiff_t>(prompt + std::min(response, max_length_ - keep_prompt)));
        out.ids = std::move(ids);
        out.response_start = keep_prompt;
    }
    return out;
}

std::optional<std::vector<std::int32_t>> TextEncoder::encode_prompt(const std::string& prompt, std::size_t room,
                                                                    const std::vector<ChatMessage>& context) const {
    std::vector<std::int32_t> ids = tokens(texts(prompt, "", context).first);
    if (ids.empty() || ids.size() + room > max_length_) return std::nullopt;
    return ids;
}

std::vector<TrainExample> encode_rows(const std::vector<TrainRow>& rows, const TextEncoder& encoder, bool pairs) {
    std::vector<TrainExample> out;
    out.reserve(rows.size());
    for (const TrainRow& row : rows) {
        TrainExample e;
        e.chosen = encoder.encode(row.prompt, row.chosen, row.context);
        e.desirable = row.desirable;
        if (pairs) e.rejected = encoder.encode(row.prompt, row.rejected, row.context);
        out.push_back(std::move(e));
    }
    return out;
}

RolloutPrompts load_rollout_prompts(const std::filesystem::path& data, const TextEncoder& encoder, std::int64_t room, std::int64_t max_length,
                                    std::vector<TrainExample>& examples) {
    RolloutPrompts out;
    for (const TrainRow& row : read_train_rows(data, RowShape::Prompt)) {
        auto ids = encoder.encode_prompt(row.prompt, static_cast<std::size_t>(room), row.context);
        if (!ids) {
            ++out.skipped;
            continue;
        }
        TrainExample e;
        e.chosen.response_start = ids->size();
        e.chosen.ids = std::move(*ids);
        examples.push_back(std::move(e));
        out.texts.push_back(row.prompt);
        out.lines.push_back(row.line);
    }
    if (const auto turn_end = encoder.turn_end_token()) out.stop_tokens.push_back(*turn_end);  // a chat model ends its turn there
    if (examples.empty())
        throw DataError(data, 0, "no prompt leaves room for " + std::to_string(room) + " new tokens within max_length " + std::to_string(max_length));
    return out;
}

}  // namespace amalgam
