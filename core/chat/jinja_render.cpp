// Walks a parsed template: scopes as jinja2 keeps them (a for loop's body gets a fresh scope
// each iteration, if does not; a macro sees the template's top level and its parameters).
#include "core/chat/jinja_ast.h"
#include "core/chat/jinja_builtins.h"
#include "core/chat/jinja_template.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace amalgam::jinja {
namespace {

using Scope = std::vector<std::pair<std::string, Value>>;

class Renderer {
public:
    Renderer(const std::string& source, const Dict& variables) : source_(source) {
        scopes_.push_back(global_functions());
        scopes_.push_back(variables);
        scopes_.emplace_back();  // the template's own top level
    }

    std::string render(const Body& body) {
        run(body);
        return std::move(out_);
    }

private:
    enum class Flow { Normal, Break, Continue };

    /** An error with the template and the line where it happened (the innermost line wins). */
    [[noreturn]] void fail(int line, const std::string& what) const {
        throw Error(source_ + ":" + std::to_string(line) + ": " + what);
    }
    bool located(const Error& e) const { return std::strncmp(e.what(), source_.c_str(), source_.size()) == 0; }

    Value lookup(const std::string& name) const {
        for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope)
            for (const auto& [key, value] : *scope)
                if (key == name) return value;
        return Value();
    }

    void assign(const std::string& name, Value value) {
        Scope& scope = scopes_.back();
        for (auto& [key, existing] : scope)
            if (key == name) {
                existing = std::move(value);
                return;
            }
        scope.emplace_back(name, std::move(value));
    }

    void assign_targets(const std::vector<std::string>& targets, const Value& value, int line) {
        if (targets.size() == 1) return assign(targets[0], value);
        const List items = value.iterate();
        if (items.size() != targets.size())
            fail(line, "cannot unpack " + std::to_string(items.size()) + " values into " + std::to_string(targets.size()) + " names");
        for (std::size_t i = 0; i < targets.size(); ++i) assign(targets[i], items[i]);
    }

    Flow run(const Body& body) {
        for (const NodePtr& node : body) {
            try {
                const Flow flow = run(*node);
                if (flow != Flow::Normal) return flow;
            } catch (const Error& e) {
                if (located(e)) throw;
                fail(node->line, e.what());
            }
        }
        return Flow::Normal;
    }

    Flow run(const Node& node) {
        switch (node.kind) {
            case Node::Kind::Text: out_ += node.text; return Flow::Normal;
            case Node::Kind::Output: out_ += eval(*node.expr).str(); return Flow::Normal;
            case Node::Kind::If:
                for (const auto& [condition, body] : node.branches)
                    if (!condition || eval(*condition).truthy()) return run(body);
                return Flow::Normal;
            case Node::Kind::For: return run_for(node);
            case Node::Kind::Set: {
                Value value;
                if (node.expr) {
                    value = eval(*node.expr);
                } else {  // {% set x %}...{% endset %}: the body's output
                    std::string saved = std::move(out_);
                    out_.clear();
                    run(node.body);
                    value = Value(std::move(out_));
                    out_ = std::move(saved);
                }
                if (node.attribute) {
                    Value target = lookup(node.targets[0]);
                    if (target.kind() != Value::Kind::Namespace)
                        fail(node.line, "cannot assign an attribute of '" + node.targets[0] + "', which is not a namespace");
                    target.set(node.targets[1], value);
                } else {
                    assign_targets(node.targets, value, node.line);
                }
                return Flow::Normal;
            }
            case Node::Kind::Macro: assign(node.text, macro(node)); return Flow::Normal;
            case Node::Kind::Break: return Flow::Break;
            case Node::Kind::Continue: return Flow::Continue;
            case Node::Kind::Scope: return run(node.body);
        }
        return Flow::Normal;
    }

    Flow run_for(const Node& node) {
        List items;
        for (const Value& item : eval(*node.expr).iterate()) {
            if (node.condition) {  // the filter sees the item under the loop's names
                scopes_.emplace_back();
                assign_targets(node.targets, item, node.line);
                const bool keep = eval(*node.condition).truthy();
                scopes_.pop_back();
                if (!keep) continue;
            }
            items.push_back(item);
        }
        if (items.empty()) return run(node.otherwise);
        const std::int64_t n = static_cast<std::int64_t>(items.size());
        for (std::int64_t i = 0; i < n; ++i) {
            scopes_.emplace_back();
            assign_targets(node.targets, items[i], node.line);
            assign("loop", Value(Dict{{"index", Value(i + 1)},
                                      {"index0", Value(i)},
                                      {"revindex", Value(n - i)},
                                      {"revindex0", Value(n - i - 1)},
                                      {"first", Value(i == 0)},
                                      {"last", Value(i == n - 1)},
                                      {"length", Value(n)},
                                      {"previtem", i > 0 ? items[i - 1] : Value()},
                                      {"nextitem", i + 1 < n ? items[i + 1] : Value()}}));
            Flow flow;
            try {
                flow = run(node.body);
            } catch (...) {
                scopes_.pop_back();
                throw;
            }
            scopes_.pop_back();
            if (flow == Flow::Break) break;
        }
        return Flow::Normal;
    }

    /** A macro as a function: its parameters (defaults evaluated at the call) over the template's
     *  top level; it returns what its body prints. */
    Value macro(const Node& node) {
        const Node* definition = &node;
        return Value(Function([this, definition](const Arguments& a) {
            std::vector<Scope> saved = std::move(scopes_);
            scopes_ = {saved[0], saved[1], saved[2], Scope{}};
            std::string saved_out = std::move(out_);
            out_.clear();
            try {
                for (std::size_t i = 0; i < definition->parameters.size(); ++i) {
                    const auto& [name, fallback] = definition->parameters[i];
                    const Value* given = a.find(i, name);
                    assign(name, given ? *given : fallback ? eval(*fallback) : Value());
                }
                run(definition->body);
            } catch (...) {
                scopes_ = std::move(saved);
                out_ = std::move(saved_out);
                throw;
            }
            Value result(std::move(out_));
            scopes_ = std::move(saved);
            out_ = std::move(saved_out);
            return result;
        }));
    }

    Arguments arguments(const Expr& e) {
        Arguments a;
        for (const ExprPtr& item : e.items) a.positional.push_back(eval(*item));
        for (const auto& [key, value] : e.keywords) a.keywords.emplace_back(key, eval(*value));
        return a;
    }

    static std::int64_t index_in(std::int64_t index, std::size_t size) { return index < 0 ? index + static_cast<std::int64_t>(size) : index; }

    Value subscript(const Value& subject, const Value& key) {
        if (subject.is_mapping()) return key.is_string() ? subject.get(key.as_string()) : Value();
        if ((subject.is_list() || subject.is_string()) && (key.kind() == Value::Kind::Int || key.kind() == Value::Kind::Bool)) {
            const List items = subject.iterate();
            const std::int64_t i = index_in(key.as_int(), items.size());
            return i >= 0 && i < static_cast<std::int64_t>(items.size()) ? items[static_cast<std::size_t>(i)] : Value();
        }
        if (!subject.is_defined()) throw Error("cannot read an item of an undefined value");
        return Value();
    }

    /** Python's slice semantics: clamped bounds, a negative step walking back. */
    Value slice(const Value& subject, const Expr& e) {
        const List items = subject.iterate();
        const std::int64_t n = static_cast<std::int64_t>(items.size());
        auto bound = [&](const ExprPtr& part) -> std::optional<std::int64_t> {
            if (!part) return std::nullopt;
            const Value v = eval(*part);
            if (v.is_none()) return std::nullopt;
            return v.as_int();
        };
        const std::int64_t step = bound(e.items[2]).value_or(1);
        if (step == 0) throw Error("slice step cannot be zero");
        auto clamp = [&](std::optional<std::int64_t> b, std::int64_t fallback) {
            if (!b) return fallback;
            std::int64_t i = *b < 0 ? *b + n : *b;
            return step > 0 ? std::clamp<std::int64_t>(i, 0, n) : std::clamp<std::int64_t>(i, -1, n - 1);
        };
        const std::int64_t start = clamp(bound(e.items[0]), step > 0 ? 0 : n - 1), stop = clamp(bound(e.items[1]), step > 0 ? n : -1);
        List out;
        for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(items[static_cast<std::size_t>(i)]);
        if (!subject.is_string()) return Value(std::move(out));
        std::string joined;
        for (const Value& c : out) joined += c.as_string();
        return Value(joined);
    }

    Value eval(const Expr& e) {
        switch (e.kind) {
            case Expr::Kind::Literal: return e.value;
            case Expr::Kind::Name: return lookup(e.name);
            case Expr::Kind::List: {
                List items;
                for (const ExprPtr& item : e.items) items.push_back(eval(*item));
                return Value(std::move(items), e.tuple);
            }
            case Expr::Kind::Dict: {
                Value dict{Dict{}};
                for (std::size_t i = 0; i + 1 < e.items.size(); i += 2) dict.set(eval(*e.items[i]).str(), eval(*e.items[i + 1]));
                return dict;
            }
            case Expr::Kind::Attribute: {
                const Value subject = eval(*e.a);
                if (!subject.is_defined()) throw Error("cannot read '" + e.name + "' of an undefined value");
                return subject.get(e.name);
            }
            case Expr::Kind::Subscript: return subscript(eval(*e.a), eval(*e.b));
            case Expr::Kind::Slice: return slice(eval(*e.a), e);
            case Expr::Kind::Call: {
                if (e.a->kind == Expr::Kind::Attribute) {  // a method, unless the mapping holds a function by that name
                    const Value subject = eval(*e.a->a);
                    const Value member = subject.get(e.a->name);
                    if (member.kind() == Value::Kind::Function) return member.as_function()(arguments(e));
                    if (!subject.is_defined()) throw Error("cannot call '" + e.a->name + "' of an undefined value");
                    return call_method(subject, e.a->name, arguments(e));
                }
                const Value callee = eval(*e.a);
                if (!callee.is_defined() && e.a->kind == Expr::Kind::Name) throw Error("'" + e.a->name + "' is undefined");
                return callee.as_function()(arguments(e));
            }
            case Expr::Kind::Filter: return apply_filter(e.name, eval(*e.a), arguments(e));
            case Expr::Kind::Test: return Value(apply_test(e.name, eval(*e.a), arguments(e)) != e.negated);
            case Expr::Kind::Unary: {
                const Value v = eval(*e.a);
                if (e.name == "not") return Value(!v.truthy());
                if (!v.is_number() && v.kind() != Value::Kind::Bool) throw Error("bad operand type for unary " + e.name + ": '" + v.type_name() + "'");
                if (e.name == "+") return v.kind() == Value::Kind::Bool ? Value(v.as_int()) : v;
                return v.kind() == Value::Kind::Float ? Value(-v.as_float()) : Value(-v.as_int());
            }
            case Expr::Kind::Binary: return binary(e);
            case Expr::Kind::Ternary: {
                if (eval(*e.b).truthy()) return eval(*e.a);
                return e.c ? eval(*e.c) : Value();
            }
        }
        return Value();
    }

    Value binary(const Expr& e) {
        const std::string& op = e.name;
        const Value a = eval(*e.a);
        if (op == "and") return a.truthy() ? eval(*e.b) : a;
        if (op == "or") return a.truthy() ? a : eval(*e.b);
        const Value b = eval(*e.b);
        if (op == "~") return Value(a.str() + b.str());
        if (op == "==") return Value(a == b);
        if (op == "!=") return Value(a != b);
        if (op == "<") return Value(less(a, b));
        if (op == ">") return Value(less(b, a));
        if (op == "<=") return Value(!less(b, a));
        if (op == ">=") return Value(!less(a, b));
        if (op == "in") return Value(contains(b, a));
        if (op == "not in") return Value(!contains(b, a));
        return arithmetic(op, a, b);
    }

    const std::string& source_;
    std::vector<Scope> scopes_;
    std::string out_;
};

}  // namespace

Template::Template(const std::string& text, std::string source)
    : source_(std::move(source)), body_(std::make_shared<const Body>(parse(text, source_))) {}
Template::~Template() = default;
Template::Template(const Template&) = default;
Template& Template::operator=(const Template&) = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

std::string Template::render(const Dict& variables) const { return Renderer(source_, variables).render(*body_); }

}  // namespace amalgam::jinja
