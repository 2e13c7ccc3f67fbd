#include "core/chat/jinja_builtins.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>

namespace amalgam::jinja {
namespace {

bool is_python_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || (c >= '\x1c' && c <= '\x1f'); }

std::string strip(const std::string& s, const Value* chars, bool left, bool right) {
    auto strippable = [&](char c) { return chars && chars->is_string() ? chars->as_string().find(c) != std::string::npos : is_python_space(c); };
    std::size_t begin = 0, end = s.size();
    if (left)
        while (begin < end && strippable(s[begin])) ++begin;
    if (right)
        while (end > begin && strippable(s[end - 1])) --end;
    return s.substr(begin, end - begin);
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/** Each word's first letter upper-case, the rest lower (Python's str.title on ASCII letters). */
std::string title(const std::string& s) {
    std::string out;
    bool in_word = false;
    for (char c : s) {
        const bool letter = std::isalpha(static_cast<unsigned char>(c)) != 0;
        out += static_cast<char>(letter ? (in_word ? std::tolower(static_cast<unsigned char>(c)) : std::toupper(static_cast<unsigned char>(c))) : c);
        in_word = letter;
    }
    return out;
}

std::string capitalize(const std::string& s) {
    std::string out = lower(s);
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

std::string replace(const std::string& s, const std::string& from, const std::string& to, std::int64_t count) {
    if (from.empty()) return s;
    std::string out;
    std::size_t at = 0;
    for (std::int64_t done = 0; count < 0 || done < count; ++done) {
        const std::size_t found = s.find(from, at);
        if (found == std::string::npos) break;
        out += s.substr(at, found - at) + to;
        at = found + from.size();
    }
    return out + s.substr(at);
}

/** Python's str.split: on `sep`, or on runs of whitespace (dropping empty parts) where there is none. */
List split(const std::string& s, const Value* sep, std::int64_t max_split) {
    List out;
    if (!sep || sep->is_none()) {
        std::size_t i = 0;
        while (true) {
            while (i < s.size() && is_python_space(s[i])) ++i;
            if (i >= s.size()) break;
            if (max_split >= 0 && static_cast<std::int64_t>(out.size()) == max_split) {
                std::size_t end = s.size();
                while (end > i && is_python_space(s[end - 1])) --end;
                out.emplace_back(s.substr(i, end - i));
                break;
            }
            std::size_t j = i;
            while (j < s.size() && !is_python_space(s[j])) ++j;
            out.emplace_back(s.substr(i, j - i));
            i = j;
        }
        return out;
    }
    const std::string& separator = sep->as_string();
    if (separator.empty()) throw Error("empty separator");
    std::size_t at = 0;
    while (max_split < 0 || static_cast<std::int64_t>(out.size()) < max_split) {
        const std::size_t found = s.find(separator, at);
        if (found == std::string::npos) break;
        out.emplace_back(s.substr(at, found - at));
        at = found + separator.size();
    }
    out.emplace_back(s.substr(at));
    return out;
}

std::int64_t length(const Value& v) {
    if (!v.is_defined()) return 0;
    if (v.is_mapping()) return static_cast<std::int64_t>(v.as_dict().size());
    return static_cast<std::int64_t>(v.iterate().size());
}

std::int64_t integer(const Value* v, std::int64_t fallback) { return v && v->is_number() ? v->as_int() : fallback; }

/** An item's attribute, dotted ("a.b") as jinja2's map and selectattr read it. */
Value attribute_of(const Value& item, const std::string& path) {
    Value v = item;
    std::size_t at = 0;
    while (at <= path.size()) {
        const std::size_t dot = path.find('.', at);
        const std::string part = path.substr(at, dot == std::string::npos ? std::string::npos : dot - at);
        if (v.is_list() && !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit)) {
            const std::size_t index = std::stoul(part);
            v = index < v.as_list().size() ? v.as_list()[index] : Value();
        } else {
            v = v.get(part);
        }
        if (dot == std::string::npos) break;
        at = dot + 1;
    }
    return v;
}

/** The arguments after the first `skip` positional ones. */
Arguments rest(const Arguments& a, std::size_t skip) {
    Arguments out;
    for (std::size_t i = skip; i < a.positional.size(); ++i) out.positional.push_back(a.positional[i]);
    out.keywords = a.keywords;
    return out;
}

/** select, reject, selectattr and rejectattr: the items whose (attribute's) test is `keep`. */
Value select(const Value& subject, const Arguments& a, bool by_attribute, bool keep) {
    List out;
    std::string attribute;
    std::size_t next = 0;
    if (by_attribute) {
        const Value* name = a.find(0, "attribute");
        if (!name || !name->is_string()) throw Error("selectattr and rejectattr need an attribute name");
        attribute = name->as_string();
        next = 1;
    }
    const Value* test = a.positional.size() > next ? &a.positional[next] : nullptr;
    const Arguments test_arguments = rest(a, next + 1);
    for (const Value& item : subject.iterate()) {
        const Value v = by_attribute ? attribute_of(item, attribute) : item;
        const bool passed = test ? apply_test(test->as_string(), v, test_arguments) : v.truthy();
        if (passed == keep) out.push_back(item);
    }
    return Value(std::move(out));
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&#34;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

/** Python's round: halves to even. */
double python_round(double v, std::int64_t digits) {
    const double scale = std::pow(10.0, static_cast<double>(digits));
    const double scaled = v * scale, floor = std::floor(scaled), difference = scaled - floor;
    double rounded = difference > 0.5 ? floor + 1 : difference < 0.5 ? floor : (std::fmod(floor, 2.0) == 0 ? floor : floor + 1);
    return rounded / scale;
}

List sorted(List items, bool reverse, const std::string& attribute, bool case_sensitive) {
    auto key = [&](const Value& v) {
        Value k = attribute.empty() ? v : attribute_of(v, attribute);
        if (!case_sensitive && k.is_string()) k = Value(lower(k.as_string()));
        return k;
    };
    std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) { return reverse ? less(key(y), key(x)) : less(key(x), key(y)); });
    return items;
}

}  // namespace

Value arithmetic(const std::string& op, const Value& a, const Value& b) {
    const bool numbers = (a.is_number() || a.kind() == Value::Kind::Bool) && (b.is_number() || b.kind() == Value::Kind::Bool);
    const bool floats = a.kind() == Value::Kind::Float || b.kind() == Value::Kind::Float;
    if (op == "+") {
        if (a.is_string() && b.is_string()) return Value(a.as_string() + b.as_string());
        if (a.is_list() && b.is_list()) {
            List joined = a.as_list();
            joined.insert(joined.end(), b.as_list().begin(), b.as_list().end());
            return Value(std::move(joined));
        }
    }
    if (op == "*" && (a.is_string() || a.is_list() || b.is_string() || b.is_list())) {
        const Value& sequence = a.is_string() || a.is_list() ? a : b;
        const Value& times = &sequence == &a ? b : a;
        if (!times.is_number() || times.kind() == Value::Kind::Float) throw Error("can't multiply sequence by non-int");
        if (sequence.is_string()) {
            std::string out;
            for (std::int64_t i = 0; i < times.as_int(); ++i) out += sequence.as_string();
            return Value(out);
        }
        List out;
        for (std::int64_t i = 0; i < times.as_int(); ++i) out.insert(out.end(), sequence.as_list().begin(), sequence.as_list().end());
        return Value(std::move(out));
    }
    if (!numbers) throw Error("unsupported operand type(s) for " + op + ": '" + a.type_name() + "' and '" + b.type_name() + "'");
    if (op == "/") {
        if (b.as_float() == 0) throw Error("division by zero");
        return Value(a.as_float() / b.as_float());
    }
    if (floats || (op == "**" && b.as_int() < 0)) {
        const double x = a.as_float(), y = b.as_float();
        if (op == "+") return Value(x + y);
        if (op == "-") return Value(x - y);
        if (op == "*") return Value(x * y);
        if (op == "**") return Value(std::pow(x, y));
        if (y == 0) throw Error("float division by zero");
        if (op == "//") return Value(std::floor(x / y));
        if (op == "%") {
            const double m = std::fmod(x, y);
            return Value(m != 0 && ((m < 0) != (y < 0)) ? m + y : m);
        }
    } else {
        const std::int64_t x = a.as_int(), y = b.as_int();
        if (op == "+") return Value(x + y);
        if (op == "-") return Value(x - y);
        if (op == "*") return Value(x * y);
        if (op == "**") {
            std::int64_t out = 1;
            for (std::int64_t i = 0; i < y; ++i) out *= x;
            return Value(out);
        }
        if (y == 0) throw Error("integer division or modulo by zero");
        const std::int64_t q = x / y, r = x % y;
        const bool adjust = r != 0 && ((r < 0) != (y < 0));  // Python floors toward minus infinity
        if (op == "//") return Value(adjust ? q - 1 : q);
        if (op == "%") return Value(adjust ? r + y : r);
    }
    throw Error("unknown operator " + op);
}

bool less(const Value& a, const Value& b) {
    const bool a_number = a.is_number() || a.kind() == Value::Kind::Bool, b_number = b.is_number() || b.kind() == Value::Kind::Bool;
    if (a_number && b_number) return a.as_float() < b.as_float();
    if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
    if (a.is_list() && b.is_list())
        return std::lexicographical_compare(a.as_list().begin(), a.as_list().end(), b.as_list().begin(), b.as_list().end(), less);
    throw Error("'<' not supported between instances of '" + a.type_name() + "' and '" + b.type_name() + "'");
}

bool contains(const Value& haystack, const Value& needle) {
    if (haystack.is_string()) {
        if (!needle.is_string()) throw Error("'in <string>' requires string as left operand, not " + needle.type_name());
        return haystack.as_string().find(needle.as_string()) != std::string::npos;
    }
    if (haystack.is_mapping()) return needle.is_string() && haystack.get(needle.as_string()).is_defined();
    for (const Value& item : haystack.iterate())
        if (item == needle) return true;
    return false;
}

bool apply_test(const std::string& name, const Value& v, const Arguments& a) {
    using Kind = Value::Kind;
    const Value* argument = a.find(0, "value");
    auto other = [&]() -> const Value& {
        if (!argument) throw Error("the test '" + name + "' takes a value to compare with");
        return *argument;
    };
    if (name == "defined") return v.is_defined();
    if (name == "undefined") return !v.is_defined();
    if (name == "none") return v.is_none();
    if (name == "boolean") return v.kind() == Kind::Bool;
    if (name == "true") return v.kind() == Kind::Bool && v.truthy();
    if (name == "false") return v.kind() == Kind::Bool && !v.truthy();
    if (name == "number") return v.is_number() || v.kind() == Kind::Bool;
    if (name == "integer") return v.kind() == Kind::Int;
    if (name == "float") return v.kind() == Kind::Float;
    if (name == "string") return v.is_string();
    if (name == "mapping") return v.is_mapping();
    if (name == "iterable") return v.is_string() || v.is_list() || v.is_mapping() || !v.is_defined();
    if (name == "sequence") return v.is_string() || v.is_list() || v.is_mapping();
    if (name == "callable") return v.kind() == Kind::Function;
    if (name == "odd") return v.as_int() % 2 != 0;
    if (name == "even") return v.as_int() % 2 == 0;
    if (name == "divisibleby") return other().as_int() != 0 && v.as_int() % other().as_int() == 0;
    if (name == "eq" || name == "equalto" || name == "==") return v == other();
    if (name == "ne" || name == "!=") return v != other();
    if (name == "lt" || name == "lessthan" || name == "<") return less(v, other());
    if (name == "le" || name == "<=") return !less(other(), v);
    if (name == "gt" || name == "greaterthan" || name == ">") return less(other(), v);
    if (name == "ge" || name == ">=") return !less(v, other());
    if (name == "in") return contains(other(), v);
    if (name == "sameas") return v == other() && v.kind() == other().kind();
    if (name == "lower") return v.is_string() && lower(v.as_string()) == v.as_string();
    if (name == "upper") return v.is_string() && upper(v.as_string()) == v.as_string();
    throw Error("no test named '" + name + "'");
}

Value apply_filter(const std::string& name, const Value& v, const Arguments& a) {
    auto text = [&]() { return v.str(); };
    if (name == "trim") return Value(strip(text(), a.find(0, "chars"), true, true));
    if (name == "tojson") return Value(v.to_json(static_cast<int>(integer(a.find(0, "indent"), -1))));
    if (name == "length" || name == "count") return Value(length(v));
    if (name == "string") return Value(text());
    if (name == "upper") return Value(upper(text()));
    if (name == "lower") return Value(lower(text()));
    if (name == "capitalize") return Value(capitalize(text()));
    if (name == "title") return Value(title(text()));
    if (name == "safe") return v;
    if (name == "e" || name == "escape") return Value(html_escape(text()));
    if (name == "replace") {
        const Value *from = a.find(0, "old"), *to = a.find(1, "new");
        if (!from || !to) throw Error("replace takes the old and the new text");
        return Value(replace(text(), from->str(), to->str(), integer(a.find(2, "count"), -1)));
    }
    if (name == "join") {
        const Value* separator = a.find(0, "d");
        const Value* attribute = a.find(1, "attribute");
        std::string out;
        bool first = true;
        for (const Value& item : v.iterate()) {
            out += (first ? "" : separator ? separator->str() : "") + (attribute ? attribute_of(item, attribute->str()) : item).str();
            first = false;
        }
        return Value(out);
    }
    if (name == "first" || name == "last") {
        const List items = v.iterate();
        if (items.empty()) return Value();
        return name == "first" ? items.front() : items.back();
    }
    if (name == "list") return Value(v.iterate());
    if (name == "reverse") {
        if (v.is_string()) {
            List characters = v.iterate();
            std::string out;
            for (auto it = characters.rbegin(); it != characters.rend(); ++it) out += it->as_string();
            return Value(out);
        }
        List items = v.iterate();
        std::reverse(items.begin(), items.end());
        return Value(std::move(items));
    }
    if (name == "items") {
        List out;
        if (v.is_defined())
            for (const auto& [key, value] : v.as_dict()) out.emplace_back(List{Value(key), value}, true);
        return Value(std::move(out));
    }
    if (name == "dictsort") {
        List out = apply_filter("items", v, {}).as_list();
        std::stable_sort(out.begin(), out.end(), [](const Value& x, const Value& y) { return less(x.as_list()[0], y.as_list()[0]); });
        return Value(std::move(out));
    }
    if (name == "sort") {
        const Value* reverse = a.find(0, "reverse");
        const Value* case_sensitive = a.find(1, "case_sensitive");
        const Value* attribute = a.find(2, "attribute");
        return Value(sorted(v.iterate(), reverse && reverse->truthy(), attribute ? attribute->str() : "", case_sensitive && case_sensitive->truthy()));
    }
    if (name == "unique") {
        List out;
        for (const Value& item : v.iterate())
            if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
        return Value(std::move(out));
    }
    if (name == "map") {
        List out;
        const Value* attribute = nullptr;
        for (const auto& [key, value] : a.keywords)
            if (key == "attribute") attribute = &value;
        if (attribute) {
            const Value* fallback = nullptr;
            for (const auto& [key, value] : a.keywords)
                if (key == "default") fallback = &value;
            for (const Value& item : v.iterate()) {
                const Value got = attribute_of(item, attribute->str());
                out.push_back(!got.is_defined() && fallback ? *fallback : got);
            }
        } else {
            if (a.positional.empty()) throw Error("map takes a filter name or attribute=");
            const Arguments filter_arguments = rest(a, 1);
            for (const Value& item : v.iterate()) out.push_back(apply_filter(a.positional[0].as_string(), item, filter_arguments));
        }
        return Value(std::move(out));
    }
    if (name == "select") return select(v, a, false, true);
    if (name == "reject") return select(v, a, false, false);
    if (name == "selectattr") return select(v, a, true, true);
    if (name == "rejectattr") return select(v, a, true, false);
    if (name == "default" || name == "d") {
        const Value* fallback = a.find(0, "default_value");
        const Value* boolean = a.find(1, "boolean");
        const bool use_fallback = boolean && boolean->truthy() ? !v.truthy() : !v.is_defined();
        return use_fallback ? (fallback ? *fallback : Value("")) : v;
    }
    if (name == "int") {
        if (v.is_number() || v.kind() == Value::Kind::Bool) return Value(v.as_int());
        try {
            return Value(static_cast<std::int64_t>(std::stoll(strip(text(), nullptr, true, true))));
        } catch (const std::exception&) {
            return Value(integer(a.find(0, "default"), 0));
        }
    }
    if (name == "float") {
        if (v.is_number() || v.kind() == Value::Kind::Bool) return Value(v.as_float());
        try {
            return Value(std::stod(text()));
        } catch (const std::exception&) {
            const Value* fallback = a.find(0, "default");
            return Value(fallback ? fallback->as_float() : 0.0);
        }
    }
    if (name == "abs") return v.kind() == Value::Kind::Float ? Value(std::fabs(v.as_float())) : Value(static_cast<std::int64_t>(std::llabs(v.as_int())));
    if (name == "round") return Value(python_round(v.as_float(), integer(a.find(0, "precision"), 0)));
    if (name == "sum") {
        Value total(std::int64_t{0});
        for (const Value& item : v.iterate()) total = arithmetic("+", total, item);
        return total;
    }
    if (name == "indent") {
        const Value* width = a.find(0, "width");
        const std::string pad = width && width->is_string() ? width->as_string() : std::string(static_cast<std::size_t>(integer(width, 4)), ' ');
        const Value* first = a.find(1, "first");
        const Value* blank = a.find(2, "blank");
        std::string out;
        const std::string s = text();
        std::size_t at = 0;
        bool first_line = true;
        while (true) {
            const std::size_t newline = s.find('\n', at);
            const std::string line = s.substr(at, newline == std::string::npos ? std::string::npos : newline - at);
            const bool indent = first_line ? (first && first->truthy()) : (!line.empty() || (blank && blank->truthy()));
            out += (indent ? pad : "") + line;
            if (newline == std::string::npos) break;
            out += "\n";
            at = newline + 1;
            first_line = false;
        }
        return Value(out);
    }
    if (name == "attr") return v.get(a.find(0, "name") ? a.find(0, "name")->str() : "");
    throw Error("no filter named '" + name + "'");
}

Value call_method(const Value& v, const std::string& name, const Arguments& a) {
    if (v.is_string()) {
        const std::string& s = v.as_string();
        if (name == "strip") return Value(strip(s, a.find(0, "chars"), true, true));
        if (name == "lstrip") return Value(strip(s, a.find(0, "chars"), true, false));
        if (name == "rstrip") return Value(strip(s, a.find(0, "chars"), false, true));
        if (name == "split") return Value(split(s, a.find(0, "sep"), integer(a.find(1, "maxsplit"), -1)));
        if (name == "upper") return Value(upper(s));
        if (name == "lower") return Value(lower(s));
        if (name == "title") return Value(title(s));
        if (name == "capitalize") return Value(capitalize(s));
        if (name == "startswith" || name == "endswith") {
            const Value* affix = a.find(0, "prefix");
            if (!affix) throw Error(name + " takes the text to look for");
            const List options = affix->is_list() ? affix->as_list() : List{*affix};
            for (const Value& option : options) {
                const std::string& o = option.as_string();
                if (o.size() <= s.size() && (name == "startswith" ? s.compare(0, o.size(), o) == 0 : s.compare(s.size() - o.size(), o.size(), o) == 0))
                    return Value(true);
            }
            return Value(false);
        }
        if (name == "replace") {
            const Value *from = a.find(0, "old"), *to = a.find(1, "new");
            if (!from || !to) throw Error("replace takes the old and the new text");
            return Value(replace(s, from->as_string(), to->as_string(), integer(a.find(2, "count"), -1)));
        }
        if (name == "find" || name == "count") {
            const Value* sub = a.find(0, "sub");
            if (!sub) throw Error(name + " takes the text to look for");
            if (name == "find") {
                const std::size_t at = s.find(sub->as_string());
                return Value(at == std::string::npos ? std::int64_t{-1} : static_cast<std::int64_t>(at));
            }
            std::int64_t n = 0;
            for (std::size_t at = s.find(sub->as_string()); at != std::string::npos && !sub->as_string().empty();
                 at = s.find(sub->as_string(), at + sub->as_string().size()))
                ++n;
            return Value(n);
        }
        if (name == "join") {
            std::string out;
            bool first = true;
            for (const Value& item : a.find(0, "iterable") ? a.find(0, "iterable")->iterate() : List{}) {
                out += (first ? "" : s) + item.as_string();
                first = false;
            }
            return Value(out);
        }
    } else if (v.is_mapping()) {
        if (name == "items") return apply_filter("items", v, {});
        if (name == "keys") return Value(v.iterate());
        if (name == "values") {
            List out;
            for (const auto& [key, value] : v.as_dict()) out.push_back(value);
            return Value(std::move(out));
        }
        if (name == "get") {
            const Value* key = a.find(0, "key");
            if (!key) throw Error("get takes a key");
            const Value got = key->is_string() ? v.get(key->as_string()) : Value();
            if (got.is_defined()) return got;
            const Value* fallback = a.find(1, "default");
            return fallback ? *fallback : Value::none();
        }
    } else if (v.is_list()) {
        if (name == "index" || name == "count") {
            const Value* item = a.find(0, "value");
            if (!item) throw Error(name + " takes a value");
            std::int64_t n = 0;
            for (std::size_t i = 0; i < v.as_list().size(); ++i)
                if (v.as_list()[i] == *item) {
                    if (name == "index") return Value(static_cast<std::int64_t>(i));
                    ++n;
                }
            if (name == "index") throw Error("the value is not in the list");
            return Value(n);
        }
    }
    throw Error("'" + v.type_name() + "' object has no method '" + name + "' a template may call");
}

Dict global_functions() {
    Dict globals;
    globals.emplace_back("raise_exception", Value(Function([](const Arguments& a) -> Value {
                             const Value* message = a.find(0, "message");
                             throw Error(message ? message->str() : "raise_exception");
                         })));
    globals.emplace_back("namespace", Value(Function([](const Arguments& a) {
                             Dict values;
                             if (const Value* initial = a.find(0, "dict"); initial && initial->is_mapping()) values = initial->as_dict();
                             for (const auto& [key, value] : a.keywords) values.emplace_back(key, value);
                             return Value(std::move(values), true);
                         })));
    globals.emplace_back("dict", Value(Function([](const Arguments& a) {
                             Dict values;
                             for (const auto& [key, value] : a.keywords) values.emplace_back(key, value);
                             return Value(std::move(values));
                         })));
    globals.emplace_back("range", Value(Function([](const Arguments& a) {
                             std::int64_t start = 0, stop = 0, step = 1;
                             if (a.positional.size() == 1) stop = a.positional[0].as_int();
                             else if (a.positional.size() >= 2) {
                                 start = a.positional[0].as_int();
                                 stop = a.positional[1].as_int();
                                 if (a.positional.size() > 2) step = a.positional[2].as_int();
                             }
                             if (step == 0) throw Error("range() arg 3 must not be zero");
                             List out;
                             for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.emplace_back(i);
                             return Value(std::move(out));
                         })));
    globals.emplace_back("strftime_now", Value(Function([](const Arguments& a) {
                             const Value* format = a.find(0, "format");
                             const std::time_t now = std::time(nullptr);
                             std::tm local{};
                             localtime_r(&now, &local);
                             char text[256];
                             const std::size_t n = std::strftime(text, sizeof text, format ? format->str().c_str() : "%Y-%m-%d", &local);
                             return Value(std::string(text, n));
                         })));
    return globals;
}

}  // namespace amalgam::jinja
