#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/chat/jinja_template.h"

namespace amalgam {

/** One turn of a conversation as a chat template reads it: {"role", "content"}. */
struct ChatMessage {
    std::string role;  ///< "system", "user" or "assistant"
    std::string content;
};

/** A checkpoint's own chat template, as transformers' apply_chat_template renders it: with the
 *  messages, add_generation_prompt, the tokenizer's bos_token and eos_token, and no tools. */
class ChatTemplate {
public:
    /** The template of a model folder: chat_template.jinja, else tokenizer_config.json's
     *  chat_template (a text, or the one named "default" of a list); nullopt where it has none.
     *  A template that does not parse is an error naming the file and the line. */
    static std::optional<ChatTemplate> load(const std::filesystem::path& model_dir);

    ChatTemplate(const std::string& text, std::string source, std::string bos_token, std::string eos_token);

    std::string render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const;

    /** A prompt (earlier turns, then the user's) and a response as the template renders them:
     *  the text up to where the assistant's turn begins (the generation prompt included), and
     *  the whole conversation, which begins with it. A template that renders the conversation
     *  with another beginning cannot tell the turn apart: an error naming it. */
    struct Rendered {
        std::string prompt;
        std::string full;
    };
    Rendered render_turn(const std::vector<ChatMessage>& context, const std::string& prompt, const std::string& response) const;
    /** What follows the assistant's content in a rendered conversation, up to its end: the text
     *  that ends a turn ("<|im_end|>\n", "<end_of_turn>\n", "</s>"). */
    std::string turn_end() const;

    const std::string& text() const { return text_; }
    const std::string& source() const { return template_.source(); }

private:
    std::string text_;
    jinja::Template template_;
    std::string bos_, eos_;
};

}  // namespace amalgam
