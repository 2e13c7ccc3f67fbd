#pragma once

#include <memory>
#include <string>

#include "core/chat/jinja_value.h"

namespace amalgam::jinja {

struct Node;

/** A Jinja template of the subset chat templates use, rendered as transformers renders them
 *  (jinja2's sandbox with trim_blocks, lstrip_blocks and loop controls; tojson without ASCII or
 *  HTML escaping; raise_exception and strftime_now):
 *  - statements: if/elif/else, for (with loop.*, else, an if filter, break, continue), set
 *    (names, namespace attributes, blocks), macros, raw, generation;
 *  - expressions: literals, lists, dicts, attributes, subscripts and slices, calls, the
 *    arithmetic, comparison, logic, `in` and `~` operators, `x if c else y`;
 *  - filters, tests, string, dict and list methods (jinja_builtins.cpp).
 *  Errors name `source` and the line. */
class Template {
public:
    Template(const std::string& text, std::string source);
    ~Template();
    Template(const Template&);  ///< copies share the parsed tree, which nothing changes
    Template& operator=(const Template&);
    Template(Template&&) noexcept;
    Template& operator=(Template&&) noexcept;

    /** The output for these variables (messages, add_generation_prompt, bos_token, ...). */
    std::string render(const Dict& variables) const;
    const std::string& source() const { return source_; }

private:
    std::string source_;
    std::shared_ptr<const std::vector<std::unique_ptr<Node>>> body_;
};

}  // namespace amalgam::jinja
