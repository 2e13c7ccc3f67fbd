#pragma once

// The parsed form of a template, which jinja_parse.cpp builds and jinja_render.cpp walks.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/chat/jinja_value.h"

namespace amalgam::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
    enum class Kind {
        Literal,    ///< value
        Name,       ///< name
        List,       ///< items; a tuple where `tuple`
        Dict,       ///< items: key, value, key, value, ...
        Attribute,  ///< a.name
        Subscript,  ///< a[b]
        Slice,      ///< a[items[0]:items[1]:items[2]], each may be null
        Call,       ///< a(items..., keywords...)
        Filter,     ///< a | name(items..., keywords...)
        Test,       ///< a is [not] name(items...); `negated`
        Unary,      ///< name a: "not", "-", "+"
        Binary,     ///< a name b: arithmetic, "~", "and", "or", comparisons, "in", "not in"
        Ternary     ///< a if b else c (c may be null)
    };
    Kind kind = Kind::Literal;
    int line = 0;
    Value value;
    std::string name;
    ExprPtr a, b, c;
    std::vector<ExprPtr> items;
    std::vector<std::pair<std::string, ExprPtr>> keywords;
    bool negated = false;
    bool tuple = false;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

struct Node {
    enum class Kind {
        Text,      ///< text
        Output,    ///< {{ expr }}
        If,        ///< branches: (condition, body) with a null condition for else
        For,       ///< for targets in expr [if condition]: body [else: otherwise]
        Set,       ///< set targets = expr, or (no expr) set target: body; `attribute` sets targets[0].targets[1]
        Macro,     ///< macro name(parameters): body
        Break,
        Continue,
        Scope      ///< a body run in place ({% generation %})
    };
    Kind kind = Kind::Text;
    int line = 0;
    std::string text;
    ExprPtr expr, condition;
    std::vector<std::pair<ExprPtr, Body>> branches;
    std::vector<std::string> targets;
    bool attribute = false;
    std::vector<std::pair<std::string, ExprPtr>> parameters;  ///< a macro's, with their defaults (null: none)
    Body body, otherwise;
};

/** Parses template text with transformers' settings (trim_blocks, lstrip_blocks, loop
 *  controls); errors name `source` and the line. */
Body parse(const std::string& text, const std::string& source);

}  // namespace amalgam::jinja
