#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/chat/chat_template.h"
#include "core/tokenize/tokenizer.h"

namespace amalgam {

/** The token that ends an assistant's turn under `chat`: the first special token after its
 *  content ("<|im_end|>", "<end_of_turn>", "<|eot_id|>"); nullopt where the template's turn
 *  ends in plain text. */
std::optional<std::int32_t> turn_end_token(const ChatTemplate& chat, const Tokenizer& tokenizer);

/** How an evaluation puts a context before the model: as it stands, tokenized with the model's
 *  special tokens; or with the checkpoint's chat template, as the user's turn followed by the
 *  generation prompt and tokenized as the template wrote it, so that what is scored and
 *  generated is the start of the assistant's answer, and answers stop at its end of turn. */
class ContextFormat {
public:
    ContextFormat() = default;
    explicit ContextFormat(std::optional<ChatTemplate> chat) : chat_(std::move(chat)) {}

    std::vector<std::int32_t> encode(const Tokenizer& tokenizer, const std::string& context) const;
    /** Besides the end-of-text token, where a chat model's answers stop. */
    std::vector<std::int32_t> stop_tokens(const Tokenizer& tokenizer) const;
    const std::optional<ChatTemplate>& chat() const { return chat_; }

private:
    std::optional<ChatTemplate> chat_;
};

}  // namespace amalgam
