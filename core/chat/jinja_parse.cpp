// Template text to a tree, with transformers' environment: trim_blocks and lstrip_blocks, no
// trailing newline kept, newlines as "\n", and break/continue.
#include "core/chat/jinja_ast.h"

#include <cctype>
#include <cstdlib>

#include "core/util/utf8.h"

namespace amalgam::jinja {
namespace {

struct Token {
    enum Type { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, Number, String, Op, End };
    Type type;
    std::string text;
    Value value;  ///< a number's or string's
    int line;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

class Lexer {
public:
    Lexer(std::string text, std::string source) : s_(std::move(text)), source_(std::move(source)) {
        // As jinja2 reads a template: newlines normalised, one trailing newline dropped.
        std::string normal;
        for (std::size_t i = 0; i < s_.size(); ++i) {
            if (s_[i] == '\r') {
                normal += '\n';
                if (i + 1 < s_.size() && s_[i + 1] == '\n') ++i;
            } else {
                normal += s_[i];
            }
        }
        if (!normal.empty() && normal.back() == '\n') normal.pop_back();
        s_ = std::move(normal);
    }

    std::vector<Token> tokens() {
        while (pos_ < s_.size()) {
            std::size_t at = pos_;
            while (true) {
                at = s_.find('{', at);
                if (at == std::string::npos || at + 1 >= s_.size()) {
                    at = std::string::npos;
                    break;
                }
                const char kind = s_[at + 1];
                if (kind == '{' || kind == '%' || kind == '#') break;
                ++at;
            }
            if (at == std::string::npos) {
                text(s_.substr(pos_));
                pos_ = s_.size();
                break;
            }
            std::string before = s_.substr(pos_, at - pos_);
            const char kind = s_[at + 1];
            const char modifier = at + 2 < s_.size() ? s_[at + 2] : '\0';
            if (modifier == '-') {
                while (!before.empty() && is_space(before.back())) before.pop_back();
            } else if (kind != '{' && modifier != '+') {  // lstrip_blocks: a tag alone at the start of its line
                const std::size_t line_start = before.rfind('\n') == std::string::npos ? 0 : before.rfind('\n') + 1;
                if (line_start > 0 || line_starting_) {
                    bool blank = true;
                    for (std::size_t i = line_start; i < before.size(); ++i) blank = blank && (before[i] == ' ' || before[i] == '\t');
                    if (blank) before.erase(line_start);
                }
            }
            text(before);
            count_lines(pos_, at);
            pos_ = at + 2 + (modifier == '-' || modifier == '+' ? 1 : 0);
            if (kind == '#') comment();
            else tag(kind);
        }
        tokens_.push_back({Token::End, "", {}, line_});
        return std::move(tokens_);
    }

private:
    [[noreturn]] void fail(const std::string& what) const { throw Error(source_ + ":" + std::to_string(line_) + ": " + what); }

    void text(const std::string& t) {
        if (!t.empty()) tokens_.push_back({Token::Text, t, {}, line_});
    }
    void count_lines(std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to && i < s_.size(); ++i)
            if (s_[i] == '\n') ++line_;
    }

    /** After a tag's closing characters at pos_: '-' strips the whitespace that follows; a
     *  block or comment (trim_blocks, unless '+') drops one newline. */
    void after_tag(bool stripped, bool block) {
        const std::size_t start = pos_;
        if (stripped) {
            while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
        } else if (block && pos_ < s_.size() && s_[pos_] == '\n') {
            ++pos_;
        }
        line_starting_ = pos_ > start && s_[pos_ - 1] == '\n';
        count_lines(start, pos_);
    }

    void comment() {
        const std::size_t end = s_.find("#}", pos_);
        if (end == std::string::npos) fail("a comment is not closed");
        const bool stripped = end > pos_ && s_[end - 1] == '-';
        const bool kept = end > pos_ && s_[end - 1] == '+';
        count_lines(pos_, end);
        pos_ = end + 2;
        after_tag(stripped, !kept);
    }

    void tag(char kind) {
        const char close = kind == '{' ? '}' : '%';
        tokens_.push_back({kind == '{' ? Token::VarBegin : Token::BlockBegin, "", {}, line_});
        const std::size_t first = tokens_.size();
        while (true) {
            while (pos_ < s_.size() && is_space(s_[pos_])) {
                if (s_[pos_] == '\n') ++line_;
                ++pos_;
            }
            if (pos_ >= s_.size()) fail(std::string("a tag is not closed (expected '") + close + "}')");
            const char c = s_[pos_];
            // The closing characters, with their whitespace modifier.
            const bool modified = (c == '-' || c == '+') && pos_ + 2 < s_.size() && s_[pos_ + 1] == close && s_[pos_ + 2] == '}';
            if (modified || (c == close && pos_ + 1 < s_.size() && s_[pos_ + 1] == '}')) {
                pos_ += modified ? 3 : 2;
                tokens_.push_back({kind == '{' ? Token::VarEnd : Token::BlockEnd, "", {}, line_});
                after_tag(modified && c == '-', kind == '%' && !(modified && c == '+'));
                break;
            }
            expression_token();
        }
        // {% raw %}: everything up to {% endraw %} is text.
        if (kind == '%' && tokens_.size() == first + 2 && tokens_[first].type == Token::Name && tokens_[first].text == "raw") {
            tokens_.resize(first - 1);
            raw();
        }
    }

    void raw() {
        std::size_t at = pos_;
        while (true) {
            at = s_.find("{%", at);
            if (at == std::string::npos) fail("{% raw %} is not closed by {% endraw %}");
            std::size_t i = at + 2;
            const bool strip_before = i < s_.size() && s_[i] == '-';
            if (i < s_.size() && (s_[i] == '-' || s_[i] == '+')) ++i;
            while (i < s_.size() && is_space(s_[i])) ++i;
            if (s_.compare(i, 6, "endraw") != 0) {
                at += 2;
                continue;
            }
            i += 6;
            while (i < s_.size() && is_space(s_[i])) ++i;
            const bool strip_after = i < s_.size() && s_[i] == '-';
            if (i < s_.size() && (s_[i] == '-' || s_[i] == '+')) ++i;
            if (s_.compare(i, 2, "%}") != 0) fail("{% endraw %} is not closed");
            std::string body = s_.substr(pos_, at - pos_);
            if (strip_before)
                while (!body.empty() && is_space(body.back())) body.pop_back();
            text(body);
            count_lines(pos_, i + 2);
            pos_ = i + 2;
            after_tag(strip_after, true);
            return;
        }
    }

    void expression_token() {
        const char c = s_[pos_];
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            const std::size_t start = pos_;
            while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
            tokens_.push_back({Token::Name, s_.substr(start, pos_ - start), {}, line_});
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            number();
        } else if (c == '\'' || c == '"') {
            string(c);
        } else {
            static const char* const operators[] = {"**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "|",
                                                    ".",  ",",  ":",  "(",  ")",  "[",  "]", "{", "}", "="};
            for (const char* op : operators)
                if (s_.compare(pos_, std::char_traits<char>::length(op), op) == 0) {
                    tokens_.push_back({Token::Op, op, {}, line_});
                    pos_ += std::char_traits<char>::length(op);
                    return;
                }
            fail(std::string("unexpected character '") + c + "'");
        }
    }

    void number() {
        const std::size_t start = pos_;
        bool is_float = false;
        while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
        if (pos_ + 1 < s_.size() && s_[pos_] == '.' && std::isdigit(static_cast<unsigned char>(s_[pos_ + 1]))) {
            is_float = true;
            ++pos_;
            while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            std::size_t i = pos_ + 1;
            if (i < s_.size() && (s_[i] == '+' || s_[i] == '-')) ++i;
            if (i < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i]))) {
                is_float = true;
                pos_ = i;
                while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
            }
        }
        std::string digits;
        for (std::size_t i = start; i < pos_; ++i)
            if (s_[i] != '_') digits += s_[i];
        tokens_.push_back({Token::Number, digits,
                           is_float ? Value(std::strtod(digits.c_str(), nullptr)) : Value(static_cast<std::int64_t>(std::strtoll(digits.c_str(), nullptr, 10))),
                           line_});
    }

    /** A quoted literal with Python's escapes. */
    void string(char quote) {
        const int line = line_;
        std::string out;
        ++pos_;
        while (true) {
            if (pos_ >= s_.size()) fail("a string is not closed");
            const char c = s_[pos_++];
            if (c == quote) break;
            if (c == '\n') ++line_;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size()) fail("a string is not closed");
            const char e = s_[pos_++];
            auto hex = [&](int digits) {
                if (pos_ + digits > s_.size()) fail("a \\x, \\u or \\U escape is cut short");
                const unsigned long code = std::strtoul(s_.substr(pos_, digits).c_str(), nullptr, 16);
                pos_ += digits;
                append_utf8(out, static_cast<char32_t>(code));
            };
            switch (e) {
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case '0': out += '\0'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'v': out += '\v'; break;
                case 'a': out += '\a'; break;
                case '\\': out += '\\'; break;
                case '\'': out += '\''; break;
                case '"': out += '"'; break;
                case '\n': ++line_; break;  // a line continuation
                case 'x': hex(2); break;
                case 'u': hex(4); break;
                case 'U': hex(8); break;
                default: out += '\\', out += e;  // Python keeps an unknown escape as written
            }
        }
        tokens_.push_back({Token::String, "", Value(out), line});
    }

    std::string s_, source_;
    std::size_t pos_ = 0;
    int line_ = 1;
    bool line_starting_ = true;
    std::vector<Token> tokens_;
};

NodePtr make_node(Node::Kind kind, int line) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->line = line;
    return node;
}

class Parser {
public:
    Parser(std::vector<Token> tokens, std::string source) : t_(std::move(tokens)), source_(std::move(source)) {}

    Body parse_template() {
        Body body = parse_body({});
        if (peek().type != Token::End) fail("unexpected '" + block_name() + "'");
        return body;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(source_ + ":" + std::to_string(peek().line) + ": " + what);
    }
    const Token& peek(std::size_t ahead = 0) const { return t_[std::min(i_ + ahead, t_.size() - 1)]; }
    Token next() { return t_[std::min(i_++, t_.size() - 1)]; }
    bool at_op(const char* op) const { return peek().type == Token::Op && peek().text == op; }
    bool at_name(const char* name) const { return peek().type == Token::Name && peek().text == name; }
    void expect_op(const char* op) {
        if (!at_op(op)) fail(std::string("expected '") + op + "'");
        ++i_;
    }
    void expect_name(const char* name) {
        if (!at_name(name)) fail(std::string("expected '") + name + "'");
        ++i_;
    }
    std::string name() {
        if (peek().type != Token::Name) fail("expected a name");
        return next().text;
    }
    void expect(Token::Type type, const char* what) {
        if (peek().type != type) fail(std::string("expected ") + what);
        ++i_;
    }
    /** The statement name of the block tag at hand, for messages. */
    std::string block_name() const { return peek(1).type == Token::Name ? peek(1).text : "end of template"; }

    /** Nodes up to a block tag named in `ends` (left unread), or the end. */
    Body parse_body(const std::vector<std::string>& ends) {
        Body body;
        while (peek().type != Token::End) {
            const Token& t = peek();
            if (t.type == Token::Text) {
                auto node = make_node(Node::Kind::Text, t.line);
                node->text = next().text;
                body.push_back(std::move(node));
            } else if (t.type == Token::VarBegin) {
                next();
                auto node = make_node(Node::Kind::Output, t.line);
                node->expr = expression();
                expect(Token::VarEnd, "'}}'");
                body.push_back(std::move(node));
            } else {
                for (const std::string& end : ends)
                    if (block_name() == end) return body;
                next();
                body.push_back(statement());
            }
        }
        if (!ends.empty()) fail("the template ends before '" + ends.back() + "'");
        return body;
    }

    void end_tag(const char* name) {
        expect(Token::BlockBegin, "a block tag");
        expect_name(name);
        expect(Token::BlockEnd, "'%}'");
    }

    NodePtr statement() {
        const int line = peek().line;
        const std::string keyword = name();
        auto node = make_node(Node::Kind::Text, line);
        if (keyword == "if") {
            node->kind = Node::Kind::If;
            ExprPtr condition = expression();
            while (true) {
                expect(Token::BlockEnd, "'%}'");
                Body body = parse_body({"elif", "else", "endif"});
                node->branches.emplace_back(std::move(condition), std::move(body));
                expect(Token::BlockBegin, "a block tag");
                const std::string branch = name();
                if (branch == "elif") {
                    condition = expression();
                } else if (branch == "else") {
                    expect(Token::BlockEnd, "'%}'");
                    node->branches.emplace_back(nullptr, parse_body({"endif"}));
                    end_tag("endif");
                    return node;
                } else {
                    expect(Token::BlockEnd, "'%}'");
                    return node;
                }
            }
        }
        if (keyword == "for") {
            node->kind = Node::Kind::For;
            node->targets.push_back(name());
            while (at_op(",")) {
                next();
                node->targets.push_back(name());
            }
            expect_name("in");
            node->expr = or_expression();
            if (at_name("if")) {
                next();
                node->condition = expression();
            }
            expect(Token::BlockEnd, "'%}'");
            node->body = parse_body({"else", "endfor"});
            expect(Token::BlockBegin, "a block tag");
            if (name() == "else") {
                expect(Token::BlockEnd, "'%}'");
                node->otherwise = parse_body({"endfor"});
                end_tag("endfor");
            } else {
                expect(Token::BlockEnd, "'%}'");
            }
            return node;
        }
        if (keyword == "set") {
            node->kind = Node::Kind::Set;
            node->targets.push_back(name());
            if (at_op(".")) {
                next();
                node->attribute = true;
                node->targets.push_back(name());
            }
            while (at_op(",")) {
                next();
                node->targets.push_back(name());
            }
            if (at_op("=")) {
                next();
                node->expr = expression();
                if (at_op(",")) {  // set a, b = 1, 2: a tuple without parentheses
                    ExprPtr tuple = make(Expr::Kind::List, line);
                    tuple->tuple = true;
                    tuple->items.push_back(std::move(node->expr));
                    while (at_op(",")) {
                        next();
                        tuple->items.push_back(expression());
                    }
                    node->expr = std::move(tuple);
                }
                expect(Token::BlockEnd, "'%}'");
            } else {
                expect(Token::BlockEnd, "'%}'");
                node->body = parse_body({"endset"});
                end_tag("endset");
            }
            return node;
        }
        if (keyword == "macro") {
            node->kind = Node::Kind::Macro;
            node->text = name();
            expect_op("(");
            while (!at_op(")")) {
                std::string parameter = name();
                ExprPtr fallback;
                if (at_op("=")) {
                    next();
                    fallback = expression();
                }
                node->parameters.emplace_back(std::move(parameter), std::move(fallback));
                if (!at_op(")")) expect_op(",");
            }
            next();
            expect(Token::BlockEnd, "'%}'");
            node->body = parse_body({"endmacro"});
            end_tag("endmacro");
            return node;
        }
        if (keyword == "break" || keyword == "continue") {
            node->kind = keyword == "break" ? Node::Kind::Break : Node::Kind::Continue;
            expect(Token::BlockEnd, "'%}'");
            return node;
        }
        if (keyword == "generation") {  // transformers' marker of assistant text: rendered in place
            node->kind = Node::Kind::Scope;
            expect(Token::BlockEnd, "'%}'");
            node->body = parse_body({"endgeneration"});
            end_tag("endgeneration");
            return node;
        }
        i_ -= 1;
        fail("'" + keyword + "' is not a statement chat templates use (if, for, set, macro, break, continue, generation, raw)");
    }

    ExprPtr make(Expr::Kind kind, int line) {
        auto e = std::make_unique<Expr>();
        e->kind = kind;
        e->line = line;
        return e;
    }
    ExprPtr binary(const std::string& op, ExprPtr a, ExprPtr b) {
        ExprPtr e = make(Expr::Kind::Binary, a->line);
        e->name = op;
        e->a = std::move(a);
        e->b = std::move(b);
        return e;
    }

    /** expression := or ['if' or ['else' expression]] */
    ExprPtr expression() {
        ExprPtr value = or_expression();
        while (at_name("if")) {
            next();
            ExprPtr e = make(Expr::Kind::Ternary, value->line);
            e->a = std::move(value);
            e->b = or_expression();
            if (at_name("else")) {
                next();
                e->c = expression();
            }
            value = std::move(e);
        }
        return value;
    }
    ExprPtr or_expression() {
        ExprPtr left = and_expression();
        while (at_name("or")) {
            next();
            left = binary("or", std::move(left), and_expression());
        }
        return left;
    }
    ExprPtr and_expression() {
        ExprPtr left = not_expression();
        while (at_name("and")) {
            next();
            left = binary("and", std::move(left), not_expression());
        }
        return left;
    }
    ExprPtr not_expression() {
        if (at_name("not")) {
            const int line = next().line;
            ExprPtr e = make(Expr::Kind::Unary, line);
            e->name = "not";
            e->a = not_expression();
            return e;
        }
        return comparison();
    }
    /** A chain a < b < c is (a < b) and (b < c), b read once in each; chat templates compare two. */
    ExprPtr comparison() {
        ExprPtr left = sum();
        while (true) {
            std::string op;
            if (peek().type == Token::Op && (peek().text == "==" || peek().text == "!=" || peek().text == "<" || peek().text == ">" ||
                                             peek().text == "<=" || peek().text == ">=")) {
                op = next().text;
            } else if (at_name("in")) {
                next();
                op = "in";
            } else if (at_name("not") && peek(1).type == Token::Name && peek(1).text == "in") {
                i_ += 2;
                op = "not in";
            } else {
                return left;
            }
            left = binary(op, std::move(left), sum());
        }
    }
    ExprPtr sum() {
        ExprPtr left = concatenation();
        while (at_op("+") || at_op("-")) {
            const std::string op = next().text;
            left = binary(op, std::move(left), concatenation());
        }
        return left;
    }
    ExprPtr concatenation() {
        ExprPtr left = product();
        while (at_op("~")) {
            next();
            left = binary("~", std::move(left), product());
        }
        return left;
    }
    ExprPtr product() {
        ExprPtr left = power();
        while (at_op("*") || at_op("/") || at_op("//") || at_op("%")) {
            const std::string op = next().text;
            left = binary(op, std::move(left), power());
        }
        return left;
    }
    ExprPtr power() {
        ExprPtr left = unary(true);
        while (at_op("**")) {
            next();
            left = binary("**", std::move(left), unary(true));
        }
        return left;
    }
    ExprPtr unary(bool with_filters) {
        ExprPtr e;
        if (at_op("-") || at_op("+")) {
            const Token op = next();
            e = make(Expr::Kind::Unary, op.line);
            e->name = op.text;
            e->a = unary(false);
        } else {
            e = postfix(primary());
        }
        return with_filters ? filters(std::move(e)) : std::move(e);
    }

    void call_arguments(Expr& e) {
        expect_op("(");
        while (!at_op(")")) {
            if (peek().type == Token::Name && peek(1).type == Token::Op && peek(1).text == "=") {
                std::string key = next().text;
                next();
                e.keywords.emplace_back(std::move(key), expression());
            } else {
                e.items.push_back(expression());
            }
            if (!at_op(")")) expect_op(",");
        }
        next();
    }

    ExprPtr postfix(ExprPtr e) {
        while (true) {
            if (at_op(".")) {
                next();
                ExprPtr a = make(Expr::Kind::Attribute, e->line);
                if (peek().type == Token::Number) {  // x.0 is x[0]
                    a->kind = Expr::Kind::Subscript;
                    a->b = make(Expr::Kind::Literal, e->line);
                    a->b->value = next().value;
                } else {
                    a->name = name();
                }
                a->a = std::move(e);
                e = std::move(a);
            } else if (at_op("[")) {
                next();
                e = subscript(std::move(e));
            } else if (at_op("(")) {
                ExprPtr call = make(Expr::Kind::Call, e->line);
                call->a = std::move(e);
                call_arguments(*call);
                e = std::move(call);
            } else {
                return e;
            }
        }
    }

    ExprPtr subscript(ExprPtr subject) {
        ExprPtr parts[3];
        int part = 0;
        bool slice = false;
        while (!at_op("]")) {
            if (at_op(":")) {
                next();
                slice = true;
                if (++part > 2) fail("a slice takes at most start:stop:step");
                continue;
            }
            parts[part] = expression();
        }
        next();
        ExprPtr e = make(slice ? Expr::Kind::Slice : Expr::Kind::Subscript, subject->line);
        e->a = std::move(subject);
        if (slice) {
            for (auto& p : parts) e->items.push_back(std::move(p));
        } else {
            if (!parts[0]) fail("an empty subscript");
            e->b = std::move(parts[0]);
        }
        return e;
    }

    ExprPtr filters(ExprPtr e) {
        while (true) {
            if (at_op("|")) {
                next();
                ExprPtr f = make(Expr::Kind::Filter, e->line);
                f->name = name();
                while (at_op(".")) {  // a dotted filter name
                    next();
                    f->name += "." + name();
                }
                if (at_op("(")) call_arguments(*f);
                f->a = std::move(e);
                e = postfix(std::move(f));
            } else if (at_name("is")) {
                next();
                ExprPtr t = make(Expr::Kind::Test, e->line);
                if (at_name("not")) {
                    next();
                    t->negated = true;
                }
                t->name = name();
                if (at_op("(")) {
                    call_arguments(*t);
                } else if (peek().type == Token::String || peek().type == Token::Number || at_op("[") || at_op("{") ||
                           (peek().type == Token::Name && !at_name("else") && !at_name("and") && !at_name("or") && !at_name("if") &&
                            !at_name("is") && !at_name("in") && !at_name("not"))) {
                    t->items.push_back(postfix(primary()));  // a test's one argument without parentheses
                }
                t->a = std::move(e);
                e = std::move(t);
            } else {
                return e;
            }
        }
    }

    ExprPtr primary() {
        const Token& t = peek();
        if (t.type == Token::Name) {
            const std::string word = next().text;
            ExprPtr e = make(Expr::Kind::Literal, t.line);
            if (word == "true" || word == "True") e->value = Value(true);
            else if (word == "false" || word == "False") e->value = Value(false);
            else if (word == "none" || word == "None") e->value = Value::none();
            else {
                e->kind = Expr::Kind::Name;
                e->name = word;
            }
            return e;
        }
        if (t.type == Token::Number) {
            ExprPtr e = make(Expr::Kind::Literal, t.line);
            e->value = next().value;
            return e;
        }
        if (t.type == Token::String) {
            ExprPtr e = make(Expr::Kind::Literal, t.line);
            std::string joined = next().value.as_string();
            while (peek().type == Token::String) joined += next().value.as_string();  // adjacent literals join
            e->value = Value(joined);
            return e;
        }
        if (at_op("(")) {
            next();
            if (at_op(")")) {
                next();
                ExprPtr e = make(Expr::Kind::List, t.line);
                e->tuple = true;  // ()
                return e;
            }
            ExprPtr first = expression();
            if (!at_op(",")) {
                expect_op(")");
                return first;
            }
            ExprPtr tuple = make(Expr::Kind::List, t.line);
            tuple->tuple = true;
            tuple->items.push_back(std::move(first));
            while (at_op(",")) {
                next();
                if (at_op(")")) break;
                tuple->items.push_back(expression());
            }
            expect_op(")");
            return tuple;
        }
        if (at_op("[")) {
            next();
            ExprPtr e = make(Expr::Kind::List, t.line);
            while (!at_op("]")) {
                e->items.push_back(expression());
                if (!at_op("]")) expect_op(",");
            }
            next();
            return e;
        }
        if (at_op("{")) {
            next();
            ExprPtr e = make(Expr::Kind::Dict, t.line);
            while (!at_op("}")) {
                e->items.push_back(expression());
                expect_op(":");
                e->items.push_back(expression());
                if (!at_op("}")) expect_op(",");
            }
            next();
            return e;
        }
        fail(t.type == Token::End || t.type == Token::VarEnd || t.type == Token::BlockEnd ? "an expression is missing"
                                                                                          : "unexpected '" + t.text + "'");
    }

    std::vector<Token> t_;
    std::string source_;
    std::size_t i_ = 0;
};

}  // namespace

Body parse(const std::string& text, const std::string& source) {
    return Parser(Lexer(text, source).tokens(), source).parse_template();
}

}  // namespace amalgam::jinja
