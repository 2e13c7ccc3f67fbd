#include "core/train/train_data.h"

#include <algorithm>

#include <nlohmann/json.hpp>

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

}  // namespace

std::vector<TrainRow> read_train_rows(const std::filesystem::path& path, RowShape shape) {
    const bool pairs = shape == RowShape::Pair, prompts_only = shape == RowShape::Prompt;
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
        if (pairs) {
            auto rejected = text_field(j, "rejected", here);
            if (!rejected) missing("rejected", "a pair needs prompt, chosen and rejected");
            row.rejected = *rejected;
        }
        rows.push_back(std::move(row));
    });
    if (rows.empty()) throw DataError(file.path(), 0, "no training rows");
    return rows;
}

TextEncoder::TextEncoder(const Tokenizer& tokenizer, std::string prompt_template, std::optional<std::int32_t> eos, std::int64_t max_length)
    : tokenizer_(tokenizer), template_(std::move(prompt_template)), eos_(eos), max_length_(static_cast<std::size_t>(max_length)) {}

EncodedText TextEncoder::encode(const std::string& prompt, const std::string& response) const {
    const std::size_t at = template_.find("{response}");
    const std::string before = replace_all(template_.substr(0, at), "{prompt}", prompt);
    const std::string after = template_.substr(at + std::string("{response}").size());
    EncodedText out;
    out.ids = tokenizer_.encode(before + response + after);
    // The prompt ends where the whole text stops agreeing with the prompt alone: a token that
    // straddles the boundary counts as response.
    const std::vector<std::int32_t> head = tokenizer_.encode(before);
    out.response_start = static_cast<std::size_t>(
        std::mismatch(head.begin(), head.end(), out.ids.begin(), out.ids.end()).first - head.begin());
    if (eos_) out.ids.push_back(*eos_);
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

std::optional<std::vector<std::int32_t>> TextEncoder::encode_prompt(const std::string& prompt, std::size_t room) const {
    std::vector<std::int32_t> ids = tokenizer_.encode(replace_all(template_.substr(0, template_.find("{response}")), "{prompt}", prompt));
    if (ids.empty() || ids.size() + room > max_length_) return std::nullopt;
    return ids;
}

std::vector<TrainExample> encode_rows(const std::vector<TrainRow>& rows, const TextEncoder& encoder, bool pairs) {
    std::vector<TrainExample> out;
    out.reserve(rows.size());
    for (const TrainRow& row : rows) {
        TrainExample e;
        e.chosen = encoder.encode(row.prompt, row.chosen);
        if (pairs) e.rejected = encoder.encode(row.prompt, row.rejected);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace amalgam
