#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/tokenize/tokenizer.h"

namespace amalgam {

/** One training row as read from JSONL: a prompt and its chosen response, and for pairwise
 *  objectives the rejected one. `line` is where it came from, for errors. */
struct TrainRow {
    std::string prompt;
    std::string chosen;
    std::string rejected;
    std::size_t line = 0;
};

/** What a stage needs of a row: a demonstration (SFT), a pair (RM, DPO) or a prompt (PPO). */
enum class RowShape { Demonstration, Pair, Prompt };

/** Reads training rows: {prompt, chosen, rejected} (curate's train.jsonl), {prompt, response}
 *  or {instruction, input, output}, each giving what `shape` needs. Errors are DataError
 *  naming the file, the line and the missing field. */
std::vector<TrainRow> read_train_rows(const std::filesystem::path& path, RowShape shape);

/** The ids of one templated text and where its response begins: tokens before
 *  `response_start` are the prompt (no loss), the rest the response (and the end-of-text token). */
struct EncodedText {
    std::vector<std::int32_t> ids;
    std::size_t response_start = 0;
    bool truncated = false;

    /** The tokens a loss predicts: the response's (the very first token has nothing before it). */
    std::size_t response_tokens() const { return ids.size() - std::min(ids.size(), std::max<std::size_t>(response_start, 1)); }
};

/** Text builder and tokenizer of a run: fills the template, ends the response with the
 *  end-of-text token where one is given, and keeps every text within `max_length` tokens (the
 *  prompt loses its start first, down to half the length, then the response its end). */
class TextEncoder {
public:
    TextEncoder(const Tokenizer& tokenizer, std::string prompt_template, std::optional<std::int32_t> eos, std::int64_t max_length);
    EncodedText encode(const std::string& prompt, const std::string& response) const;
    /** The prompt part alone (the template up to the response), as PPO generates after it;
     *  nullopt when it leaves fewer than `room` tokens of max_length for the response. */
    std::optional<std::vector<std::int32_t>> encode_prompt(const std::string& prompt, std::size_t room) const;

private:
    const Tokenizer& tokenizer_;
    std::string template_;
    std::optional<std::int32_t> eos_;
    std::size_t max_length_;
};

/** A training example: the chosen text, and the rejected one for pairwise objectives. */
struct TrainExample {
    EncodedText chosen;
    EncodedText rejected;
};

std::vector<TrainExample> encode_rows(const std::vector<TrainRow>& rows, const TextEncoder& encoder, bool pairs);

}  // namespace amalgam
