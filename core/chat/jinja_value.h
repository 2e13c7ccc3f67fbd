#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace amalgam::jinja {

class Value;
using List = std::vector<Value>;
/** A dict in insertion order, as Python's: tojson and iteration keep the order it was built in. */
using Dict = std::vector<std::pair<std::string, Value>>;

/** What a call passes: positional arguments, then keyword ones. */
struct Arguments {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> keywords;
    /** The argument at `index`, else the keyword `name`, else null (Undefined). */
    const Value* find(std::size_t index, const std::string& name) const;
};
using Function = std::function<Value(const Arguments&)>;

/** A template error: the renderer adds where it happened; raise_exception's message as given. */
struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/** A value of the Jinja subset chat templates use, with Python's semantics where the output
 *  depends on them: truthiness, equality, str() and repr() of numbers and containers. Lists,
 *  dicts and namespaces are shared, as Python's objects are (a namespace is written through
 *  `set ns.key`). Undefined is what a missing variable or key gives: empty when printed,
 *  false, and an error to read an attribute of. */
class Value {
public:
    enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Function };

    Value() = default;
    static Value none() { return Value(Kind::None); }
    Value(bool b) : kind_(Kind::Bool), int_(b) {}
    Value(int i) : kind_(Kind::Int), int_(i) {}
    Value(std::int64_t i) : kind_(Kind::Int), int_(i) {}
    Value(double d) : kind_(Kind::Float), float_(d) {}
    Value(std::string s) : kind_(Kind::String), string_(std::make_shared<std::string>(std::move(s))) {}
    Value(const char* s) : Value(std::string(s)) {}
    /** A list, or with `is_tuple` a tuple: a list that prints as Python prints a tuple. */
    Value(List l, bool is_tuple = false) : kind_(Kind::List), int_(is_tuple), list_(std::make_shared<List>(std::move(l))) {}
    Value(Dict d, bool is_namespace = false) : kind_(is_namespace ? Kind::Namespace : Kind::Dict), dict_(std::make_shared<Dict>(std::move(d))) {}
    Value(Function f) : kind_(Kind::Function), function_(std::make_shared<Function>(std::move(f))) {}
    /** JSON as Python's json.loads gives it: objects become dicts, in their order. */
    static Value from_json(const nlohmann::ordered_json& j);

    Kind kind() const { return kind_; }
    bool is_defined() const { return kind_ != Kind::Undefined; }
    bool is_none() const { return kind_ == Kind::None; }
    bool is_number() const { return kind_ == Kind::Int || kind_ == Kind::Float; }
    bool is_string() const { return kind_ == Kind::String; }
    bool is_list() const { return kind_ == Kind::List; }
    bool is_tuple() const { return kind_ == Kind::List && int_ != 0; }
    bool is_mapping() const { return kind_ == Kind::Dict || kind_ == Kind::Namespace; }

    bool truthy() const;
    std::int64_t as_int() const { return kind_ == Kind::Float ? static_cast<std::int64_t>(float_) : int_; }
    double as_float() const { return kind_ == Kind::Float ? float_ : static_cast<double>(int_); }
    const std::string& as_string() const;
    const List& as_list() const;
    List& list();  ///< shared: a change shows wherever the value is
    const Dict& as_dict() const;
    Dict& dict();
    const Function& as_function() const;

    /** A mapping's value for `key`, or Undefined. */
    Value get(const std::string& key) const;
    void set(const std::string& key, Value value);

    /** The items a for loop visits: a list's values, a dict's keys, a string's characters; none
     *  for Undefined. */
    List iterate() const;

    /** str(value) as Python prints it ("None", "True", "1.0", "['a', 1]"); Undefined prints "". */
    std::string str() const;
    /** repr(value): strings quoted, as inside a printed list. */
    std::string repr() const;
    /** json.dumps(value, ensure_ascii=False), with `indent` (< 0: none) as transformers' tojson. */
    std::string to_json(int indent = -1) const;
    /** The name Python gives the value's type, for errors. */
    std::string type_name() const;

    friend bool operator==(const Value& a, const Value& b);
    friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

private:
    explicit Value(Kind kind) : kind_(kind) {}
    Kind kind_ = Kind::Undefined;
    std::int64_t int_ = 0;
    double float_ = 0;
    std::shared_ptr<std::string> string_;
    std::shared_ptr<List> list_;
    std::shared_ptr<Dict> dict_;
    std::shared_ptr<Function> function_;
};

/** Python's repr of a float: the shortest text that reads back as the same double ("0.1",
 *  "1e+20", "1.0"). */
std::string python_float(double value);

}  // namespace amalgam::jinja
