#include "core/eval/context_format.h"

namespace amalgam {

std::optional<std::int32_t> turn_end_token(const ChatTemplate& chat, const Tokenizer& tokenizer) {
    for (const std::int32_t id : tokenizer.encode(chat.turn_end(), false))
        if (tokenizer.is_special(id)) return id;
    return std::nullopt;
}

std::vector<std::int32_t> ContextFormat::encode(const Tokenizer& tokenizer, const std::string& context) const {
    if (!chat_) return tokenizer.encode(context);
    return tokenizer.encode(chat_->render_turn({}, context, "").prompt, false);
}

std::vector<std::int32_t> ContextFormat::stop_tokens(const Tokenizer& tokenizer) const {
    if (!chat_) return {};
    if (const auto id = turn_end_token(*chat_, tokenizer)) return {*id};
    return {};
}

}  // namespace amalgam
