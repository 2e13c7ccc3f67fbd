#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/chat/chat_template.h"
#include "core/tokenize/tokenizer.h"

namespace amalgam {

/** One training row as read from JSONL: a prompt and its chosen response, and for pairwise
 *  objectives the rejected one, after the conversation's earlier turns where it has them. A
 *  labelled row (KTO) holds its completion in `chosen`, and `desirable` is its label. `line` is
 *  where it came from, for errors. */
struct TrainRow {
    std::string prompt;
    std::string chosen;
    std::string rejected;
    std::size_t line = 0;
    std::vector<ChatMessage> context;
    bool desirable = true;
};

/** What a stage needs of a row: a demonstration (SFT), a pair (RM, DPO), a completion labelled
 *  desirable or not (KTO) or a prompt (PPO). */
enum class RowShape { Demonstration, Pair, Labelled, Prompt };

/** Reads training rows: {prompt, chosen, rejected} (curate's train.jsonl), {prompt, response}
 *  or {instruction, input, output}, each giving what `shape` needs, with an optional `context`
 *  of earlier turns ([{role, text or content}], as curate writes it). Labelled rows are
 *  {prompt, completion, label: true|false} (curate's unpaired.jsonl, TRL's unpaired format);
 *  a pair read as labelled rows gives two, its chosen desirable and its rejected not, as TRL
 *  unpairs a preference dataset. Errors are DataError naming the file, the line and the
 *  missing field. */
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

/** How a run's texts are made: a training template filled in ("{prompt}...{response}", the
 *  earlier turns left out, then the end-of-text token), or with `chat` the checkpoint's chat
 *  template: the earlier turns and the prompt as user turns, the response as the assistant's,
 *  closed as the template closes a turn and tokenized without added special tokens (the
 *  template writes its own, as transformers' apply_chat_template does). */
struct TextFormat {
    explicit TextFormat(std::string fill_in = "", std::optional<ChatTemplate> chat = std::nullopt)
        : fill_in(std::move(fill_in)), chat(std::move(chat)) {}
    std::string fill_in;
    std::optional<ChatTemplate> chat;
};

/** The format a run's `template` names: "chat" is the checkpoint's own chat template (today's
 *  default where the folder has none), any other text a template to fill in. */
TextFormat text_format(const std::string& prompt_template, const std::filesystem::path& model_dir);
/** What run.json records of a format: the fill-in text, or the chat template's text. */
std::string format_text(const TextFormat& format);

/** Text builder and tokenizer of a run: renders the format, ends a filled-in response with the
 *  end-of-text token where one is given, and keeps every text within `max_length` tokens (the
 *  prompt loses its start first, down to half the length, then the response its end). */
class TextEncoder {
public:
    TextEncoder(const Tokenizer& tokenizer, TextFormat format, std::optional<std::int32_t> eos, std::int64_t max_length);
    EncodedText encode(const std::string& prompt, const std::string& response, const std::vector<ChatMessage>& context = {}) const;
    /** The prompt part alone (up to the response: a chat template's generation prompt), as PPO
     *  generates after it; nullopt when it leaves fewer than `room` tokens of max_length. */
    std::optional<std::vector<std::int32_t>> encode_prompt(const std::string& prompt, std::size_t room,
                                                           const std::vector<ChatMessage>& context = {}) const;
    /** The token that ends an assistant's turn under a chat template (the first special token
     *  after its content: "<|im_end|>", "<end_of_turn>"), where generation stops; nullopt for a
     *  filled-in template, or one whose turn ends in plain text. */
    std::optional<std::int32_t> turn_end_token() const;
    const TextFormat& format() const { return format_; }

private:
    /** The text before the response and the whole text. */
    std::pair<std::string, std::string> texts(const std::string& prompt, const std::string& response, const std::vector<ChatMessage>& context) const;
    std::vector<std::int32_t> tokens(const std::string& text) const;
    const Tokenizer& tokenizer_;
    TextFormat format_;
    std::optional<std::int32_t> eos_;
    std::size_t max_length_;
};

/** A training example: the chosen text, and the rejected one for pairwise objectives; for KTO
 *  the completion and its label. */
struct TrainExample {
    EncodedText chosen;
    EncodedText rejected;
    bool desirable = true;
};

std::vector<TrainExample> encode_rows(const std::vector<TrainRow>& rows, const TextEncoder& encoder, bool pairs);

/** The prompts a stage that samples its completions (PPO, GRPO, RLOO) starts from: each row's
 *  prompt as the format puts it before a response, into `examples`, with its text and line;
 *  a prompt leaving fewer than `room` tokens of max_length is skipped and counted. A chat
 *  template's end of turn is where generation stops. Throws DataError when none is left. */
struct RolloutPrompts {
    std::vector<std::string> texts;
    std::vector<std::size_t> lines;
    std::int64_t skipped = 0;
    std::vector<std::int32_t> stop_tokens;  ///< besides the end-of-text token
};
RolloutPrompts load_rollout_prompts(const std::filesystem::path& data, const TextEncoder& encoder, std::int64_t room, std::int64_t max_length,
                                    std::vector<TrainExample>& examples);

}  // namespace amalgam
