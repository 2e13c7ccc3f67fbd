#include "core/chat/chat_template.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace amalgam {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path.string() + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/** A special token as tokenizer_config.json gives it: a text, or an AddedToken's "content". */
std::string token_text(const json& config, const char* key) {
    auto it = config.find(key);
    if (it == config.end() || it->is_null()) return "";
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) return (*it)["content"].get<std::string>();
    return "";
}

jinja::Value messages_value(const std::vector<ChatMessage>& messages) {
    jinja::List list;
    for (const ChatMessage& m : messages) list.emplace_back(jinja::Dict{{"role", jinja::Value(m.role)}, {"content", jinja::Value(m.content)}});
    return jinja::Value(std::move(list));
}

/** A response no template changes: no whitespace to trim, no markup. */
const char* const kProbe = "Amalgam-probe-9f3c";

}  // namespace

std::optional<ChatTemplate> ChatTemplate::load(const fs::path& model_dir) {
    const fs::path config_path = model_dir / "tokenizer_config.json";
    json config = json::object();
    if (fs::exists(config_path)) {
        try {
            config = json::parse(read_text(config_path));
        } catch (const json::exception& e) {
            throw std::runtime_error(config_path.string() + ": malformed JSON: " + e.what());
        }
    }
    const std::string bos = token_text(config, "bos_token"), eos = token_text(config, "eos_token");
    if (const fs::path file = model_dir / "chat_template.jinja"; fs::exists(file)) return ChatTemplate(read_text(file), file.string(), bos, eos);
    auto it = config.find("chat_template");
    if (it == config.end() || it->is_null()) return std::nullopt;
    const std::string source = config_path.string() + " (chat_template)";
    if (it->is_string()) return ChatTemplate(it->get<std::string>(), source, bos, eos);
    if (it->is_array())  // named templates: transformers takes the one called "default"
        for (const json& named : *it)
            if (named.is_object() && named.value("name", "") == "default" && named.contains("template") && named["template"].is_string())
                return ChatTemplate(named["template"].get<std::string>(), source, bos, eos);
    throw std::runtime_error(source + ": must be a template text, or a list of named templates with one named \"default\"");
}

ChatTemplate::ChatTemplate(const std::string& text, std::string source, std::string bos_token, std::string eos_token)
    : text_(text), template_(text, std::move(source)), bos_(std::move(bos_token)), eos_(std::move(eos_token)) {}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const {
    return template_.render({{"messages", messages_value(messages)},
                             {"add_generation_prompt", jinja::Value(add_generation_prompt)},
                             {"bos_token", jinja::Value(bos_)},
                             {"eos_token", jinja::Value(eos_)},
                             {"tools", jinja::Value::none()}});
}

ChatTemplate::Rendered ChatTemplate::render_turn(const std::vector<ChatMessage>& context, const std::string& prompt,
                                                 const std::string& response) const {
    std::vector<ChatMessage> messages = context;
    messages.push_back({"user", prompt});
    Rendered out;
    out.prompt = render(messages, true);
    messages.push_back({"assistant", response});
    out.full = render(messages, false);
    if (out.full.compare(0, out.prompt.size(), out.prompt) != 0)
        throw std::runtime_error(source() + ": the template renders a conversation with an answer so that it does not begin with the "
                                            "same conversation's prompt and generation prompt, so the assistant's turn cannot be told apart");
    return out;
}

std::string ChatTemplate::turn_end() const {
    const Rendered r = render_turn({}, "Hello", kProbe);
    const std::size_t at = r.full.rfind(kProbe);
    return at == std::string::npos ? "" : r.full.substr(at + std::char_traits<char>::length(kProbe));
}

}  // namespace amalgam
