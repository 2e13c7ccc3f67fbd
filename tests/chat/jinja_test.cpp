#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/chat/chat_template.h"
#include "core/chat/jinja_template.h"
#include "tests/test_support.h"

namespace amalgam::jinja {
namespace {

std::string render(const std::string& text, const Dict& variables = {}) { return Template(text, "t.jinja").render(variables); }

std::string error_of(const std::string& text, const Dict& variables = {}) {
    try {
        render(text, variables);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(Jinja, RendersAChatMlConversation) {
    const Value messages(List{Value(Dict{{"role", "user"}, {"content", "Hi"}}), Value(Dict{{"role", "assistant"}, {"content", "Hello"}})});
    const std::string chatml =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message.content + '<|im_end|>' + '\\n' }}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    EXPECT_EQ(render(chatml, {{"messages", messages}, {"add_generation_prompt", true}}),
              "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n<|im_start|>assistant\n");
}

TEST(Jinja, PrintsValuesAsPythonDoes) {
    EXPECT_EQ(render("{{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 3 / 2 }} {{ 7 // -2 }} {{ none }} {{ true }} {{ [1, 'a'] }} {{ {'a': (1,)} }}"),
              "1.0 0.30000000000000004 1e+20 1.5 -4 None True [1, 'a'] {'a': (1,)}");
    EXPECT_EQ(python_float(1.5e-5), "1.5e-05");
    EXPECT_EQ(python_float(123456789.123), "123456789.123");
    EXPECT_EQ(python_float(1e16), "1e+16");
}

TEST(Jinja, LoopBodiesHaveTheirOwnScopeAndNamespacesCarryAcross) {
    EXPECT_EQ(render("{% set x = 0 %}{% for i in range(3) %}{% set x = x + 1 %}{{ x }}{% endfor %}{{ x }}"), "1110");
    EXPECT_EQ(render("{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}"), "3");
}

TEST(Jinja, TrimsBlocksAndStripsTheirLinesAsTransformersSetsItUp) {
    EXPECT_EQ(render("{% for i in [1, 2] %}\n  {{ i }}\n{% endfor %}\n"), "  1\n  2\n");
    EXPECT_EQ(render("a\n  {% if true %}  {% endif %}|"), "a\n  |");
    EXPECT_EQ(render("{#- c -#}\n  {{- ' x ' -}}  \n y"), " x y");
}

TEST(Jinja, ErrorsNameTheTemplateAndTheLine) {
    EXPECT_EQ(error_of("line one\n{% if messages[0]['role'] == 'system' %}\n{{ raise_exception('System role not supported') }}\n{% endif %}",
                       {{"messages", Value(List{Value(Dict{{"role", "system"}})})}}),
              "t.jinja:3: System role not supported");
    EXPECT_EQ(error_of("a\n{% if x %}b"), "t.jinja:2: the template ends before 'endif'");
    EXPECT_EQ(error_of("{{ 'a' + 1 }}"), "t.jinja:1: unsupported operand type(s) for +: 'str' and 'int'");
    EXPECT_EQ(error_of("{% include 'x' %}"), "t.jinja:1: 'include' is not a statement chat templates use (if, for, set, macro, break, continue, generation, raw)");
    EXPECT_EQ(error_of("{{ x.y }}"), "t.jinja:1: cannot read 'y' of an undefined value");
    EXPECT_EQ(error_of("{{ 'a' | no_such_filter }}"), "t.jinja:1: no filter named 'no_such_filter'");
    EXPECT_EQ(error_of("{{ 'unclosed }}"), "t.jinja:1: a string is not closed");
}

const char* const kChatMl = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
                            "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

TEST(ChatTemplates, ReadsTheCheckpointsTemplateWhereTransformersDoes) {
    test::TempDir dir;
    EXPECT_FALSE(ChatTemplate::load(dir.path()));  // none: the caller keeps its default
    dir.write("tokenizer_config.json", nlohmann::json{{"chat_template", kChatMl}, {"eos_token", {{"content", "<|im_end|>"}}}}.dump());
    auto chat = ChatTemplate::load(dir.path());
    ASSERT_TRUE(chat);
    EXPECT_EQ(chat->text(), kChatMl);
    EXPECT_EQ(chat->render({{"user", "Hi"}}, true), "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_EQ(chat->turn_end(), "<|im_end|>\n");

    // A list of named templates: the one named "default".
    dir.write("tokenizer_config.json",
              nlohmann::json{{"chat_template", {{{"name", "tool_use"}, {"template", "tools"}}, {{"name", "default"}, {"template", "{{ bos_token }}x"}}}},
                             {"bos_token", "<s>"}}
                  .dump());
    EXPECT_EQ(ChatTemplate::load(dir.path())->render({}, false), "<s>x");
    // chat_template.jinja beside it wins, as in transformers.
    dir.write("chat_template.jinja", "from the file");
    EXPECT_EQ(ChatTemplate::load(dir.path())->render({}, false), "from the file");
    dir.write("chat_template.jinja", "line one\n{% if %}");
    try {
        ChatTemplate::load(dir.path());
        FAIL() << "a template that does not parse was accepted";
    } catch (const std::exception& e) {
        EXPECT_EQ(std::string(e.what()), (dir / "chat_template.jinja").string() + ":2: an expression is missing");
    }
}

TEST(ChatTemplates, ATurnIsThePromptThenTheAssistantsText) {
    const ChatTemplate chat(kChatMl, "chatml", "", "");
    const auto turn = chat.render_turn({{"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello."}}, "Why?", "Because.");
    EXPECT_EQ(turn.prompt,
              "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n"
              "<|im_start|>user\nWhy?<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_EQ(turn.full, turn.prompt + "Because.<|im_end|>\n");
    // A template whose conversation does not begin with its prompt cannot tell the turn apart.
    const ChatTemplate odd("{% if add_generation_prompt %}A{% else %}B{% endif %}", "odd", "", "");
    EXPECT_THROW(odd.render_turn({}, "p", "r"), std::runtime_error);
}

}  // namespace
}  // namespace amalgam::jinja
