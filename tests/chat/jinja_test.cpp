#include <gtest/gtest.h>

#include "core/chat/jinja_template.h"

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

}  // namespace
}  // namespace amalgam::jinja
