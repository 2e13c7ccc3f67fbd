#include "core/chat/jinja_value.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace amalgam::jinja {

const Value* Arguments::find(std::size_t index, const std::string& name) const {
    if (index < positional.size()) return &positional[index];
    for (const auto& [key, value] : keywords)
        if (key == name) return &value;
    return nullptr;
}

Value Value::from_json(const nlohmann::ordered_json& j) {
    switch (j.type()) {
        case nlohmann::ordered_json::value_t::null: return none();
        case nlohmann::ordered_json::value_t::boolean: return Value(j.get<bool>());
        case nlohmann::ordered_json::value_t::number_integer:
        case nlohmann::ordered_json::value_t::number_unsigned: return Value(j.get<std::int64_t>());
        case nlohmann::ordered_json::value_t::number_float: return Value(j.get<double>());
        case nlohmann::ordered_json::value_t::string: return Value(j.get<std::string>());
        case nlohmann::ordered_json::value_t::array: {
            List list;
            for (const auto& item : j) list.push_back(from_json(item));
            return Value(std::move(list));
        }
        case nlohmann::ordered_json::value_t::object: {
            Dict dict;
            for (const auto& [key, item] : j.items()) dict.emplace_back(key, from_json(item));
            return Value(std::move(dict));
        }
        default: return Value();
    }
}

bool Value::truthy() const {
    switch (kind_) {
        case Kind::Undefined:
        case Kind::None: return false;
        case Kind::Bool:
        case Kind::Int: return int_ != 0;
        case Kind::Float: return float_ != 0;
        case Kind::String: return !string_->empty();
        case Kind::List: return !list_->empty();
        case Kind::Dict: return !dict_->empty();
        case Kind::Namespace:
        case Kind::Function: return true;
    }
    return false;
}

const std::string& Value::as_string() const {
    if (kind_ != Kind::String) throw Error("expected a string, not " + type_name());
    return *string_;
}

const List& Value::as_list() const {
    if (kind_ != Kind::List) throw Error("expected a list, not " + type_name());
    return *list_;
}

List& Value::list() {
    if (kind_ != Kind::List) throw Error("expected a list, not " + type_name());
    return *list_;
}

const Dict& Value::as_dict() const {
    if (!is_mapping()) throw Error("expected a dict, not " + type_name());
    return *dict_;
}

Dict& Value::dict() {
    if (!is_mapping()) throw Error("expected a dict, not " + type_name());
    return *dict_;
}

const Function& Value::as_function() const {
    if (kind_ != Kind::Function) throw Error("'" + type_name() + "' object is not callable");
    return *function_;
}

Value Value::get(const std::string& key) const {
    if (!is_mapping()) return Value();
    for (const auto& [k, v] : *dict_)
        if (k == key) return v;
    return Value();
}

void Value::set(const std::string& key, Value value) {
    for (auto& [k, v] : dict())
        if (k == key) {
            v = std::move(value);
            return;
        }
    dict_->emplace_back(key, std::move(value));
}

List Value::iterate() const {
    switch (kind_) {
        case Kind::Undefined: return {};
        case Kind::List: return *list_;
        case Kind::Dict: {
            List keys;
            for (const auto& [k, v] : *dict_) keys.emplace_back(k);
            return keys;
        }
        case Kind::String: {
            List characters;
            const std::string& s = *string_;
            for (std::size_t i = 0; i < s.size();) {  // by UTF-8 character, as Python iterates code points
                std::size_t n = 1;
                const unsigned char c = static_cast<unsigned char>(s[i]);
                if (c >= 0xF0) n = 4;
                else if (c >= 0xE0) n = 3;
                else if (c >= 0xC0) n = 2;
                characters.emplace_back(s.substr(i, n));
                i += n;
            }
            return characters;
        }
        default: throw Error("'" + type_name() + "' object is not iterable");
    }
}

std::string python_float(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
    char text[40];
    int precision = 1;
    for (; precision < 17; ++precision) {
        std::snprintf(text, sizeof text, "%.*e", precision - 1, value);
        if (std::strtod(text, nullptr) == value) break;
    }
    std::snprintf(text, sizeof text, "%.*e", precision - 1, value);
    // text is "-d.ddde+XX": its digits and the exponent of the first.
    std::string s = text, sign;
    if (s[0] == '-') {
        sign = "-";
        s.erase(0, 1);
    }
    const std::size_t e = s.find('e');
    const int exponent = std::atoi(s.c_str() + e + 1);
    std::string digits = s.substr(0, 1) + (e > 2 ? s.substr(2, e - 2) : "");
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) return sign + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
        const std::size_t whole = static_cast<std::size_t>(exponent) + 1;
        if (digits.size() <= whole) return sign + digits + std::string(whole - digits.size(), '0') + ".0";
        return sign + digits.substr(0, whole) + "." + digits.substr(whole);
    }
    char exp_text[16];
    std::snprintf(exp_text, sizeof exp_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return sign + digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "") + exp_text;
}

namespace {

std::string python_repr_string(const std::string& s) {
    const bool has_single = s.find('\'') != std::string::npos, has_double = s.find('"') != std::string::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    std::string out(1, quote);
    for (const char ch : s) {
        const unsigned char c = static_cast<unsigned char>(ch);
        if (ch == quote || ch == '\\') out += {'\\', ch};
        else if (ch == '\n') out += "\\n";
        else if (ch == '\r') out += "\\r";
        else if (ch == '\t') out += "\\t";
        else if (c < 0x20 || c == 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else {
            out += ch;
        }
    }
    return out + quote;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char ch : s) {
        const unsigned char c = static_cast<unsigned char>(ch);
        switch (ch) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "\\u%04x", c);
                    out += hex;
                } else {
                    out += ch;
                }
        }
    }
    return out + "\"";
}

void append_json(const Value& v, int indent, int depth, std::string& out) {
    const std::string newline = indent < 0 ? "" : "\n" + std::string(static_cast<std::size_t>(indent * (depth + 1)), ' ');
    const std::string closing = indent < 0 ? "" : "\n" + std::string(static_cast<std::size_t>(indent * depth), ' ');
    const char* separator = indent < 0 ? ", " : ",";
    switch (v.kind()) {
        case Value::Kind::Undefined:
        case Value::Kind::None: out += "null"; return;
        case Value::Kind::Bool: out += v.truthy() ? "true" : "false"; return;
        case Value::Kind::Int: out += std::to_string(v.as_int()); return;
        case Value::Kind::Float: {
            const double d = v.as_float();
            out += std::isnan(d) ? "NaN" : std::isinf(d) ? (d < 0 ? "-Infinity" : "Infinity") : python_float(d);
            return;
        }
        case Value::Kind::String: out += json_string(v.as_string()); return;
        case Value::Kind::List: {
            if (v.as_list().empty()) {
                out += "[]";
                return;
            }
            out += "[";
            bool first = true;
            for (const Value& item : v.as_list()) {
                out += (first ? "" : separator) + newline;
                first = false;
                append_json(item, indent, depth + 1, out);
            }
            out += closing + "]";
            return;
        }
        case Value::Kind::Dict:
        case Value::Kind::Namespace: {
            if (v.as_dict().empty()) {
                out += "{}";
                return;
            }
            out += "{";
            bool first = true;
            for (const auto& [key, item] : v.as_dict()) {
                out += (first ? "" : separator) + newline + json_string(key) + ": ";
                first = false;
                append_json(item, indent, depth + 1, out);
            }
            out += closing + "}";
            return;
        }
        case Value::Kind::Function: throw Error("Object of type function is not JSON serializable");
    }
}

}  // namespace

std::string Value::str() const {
    switch (kind_) {
        case Kind::Undefined: return "";
        case Kind::None: return "None";
        case Kind::Bool: return int_ ? "True" : "False";
        case Kind::Int: return std::to_string(int_);
        case Kind::Float: return python_float(float_);
        case Kind::String: return *string_;
        case Kind::List: {
            std::string out = is_tuple() ? "(" : "[";
            for (std::size_t i = 0; i < list_->size(); ++i) out += (i ? ", " : "") + (*list_)[i].repr();
            if (is_tuple()) return out + (list_->size() == 1 ? ",)" : ")");
            return out + "]";
        }
        case Kind::Dict: {
            std::string out = "{";
            for (std::size_t i = 0; i < dict_->size(); ++i)
                out += (i ? ", " : "") + python_repr_string((*dict_)[i].first) + ": " + (*dict_)[i].second.repr();
            return out + "}";
        }
        case Kind::Namespace: return "<Namespace " + Value(*dict_).str() + ">";
        case Kind::Function: return "<function>";
    }
    return "";
}

std::string Value::repr() const { return kind_ == Kind::String ? python_repr_string(*string_) : str(); }

std::string Value::to_json(int indent) const {
    std::string out;
    append_json(*this, indent, 0, out);
    return out;
}

std::string Value::type_name() const {
    switch (kind_) {
        case Kind::Undefined: return "Undefined";
        case Kind::None: return "NoneType";
        case Kind::Bool: return "bool";
        case Kind::Int: return "int";
        case Kind::Float: return "float";
        case Kind::String: return "str";
        case Kind::List: return "list";
        case Kind::Dict: return "dict";
        case Kind::Namespace: return "Namespace";
        case Kind::Function: return "function";
    }
    return "?";
}

bool operator==(const Value& a, const Value& b) {
    using Kind = Value::Kind;
    const bool a_number = a.is_number() || a.kind() == Kind::Bool, b_number = b.is_number() || b.kind() == Kind::Bool;
    if (a_number && b_number) {
        if (a.kind() == Kind::Float || b.kind() == Kind::Float) return a.as_float() == b.as_float();
        return a.as_int() == b.as_int();
    }
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case Kind::Undefined:
        case Kind::None: return true;
        case Kind::String: return a.as_string() == b.as_string();
        case Kind::List: return a.is_tuple() == b.is_tuple() && a.as_list() == b.as_list();
        case Kind::Dict: {
            if (a.as_dict().size() != b.as_dict().size()) return false;
            for (const auto& [key, value] : a.as_dict())
                if (const Value other = b.get(key); !other.is_defined() || other != value) return false;
            return true;
        }
        case Kind::Namespace: return &a.as_dict() == &b.as_dict();  // one object, as Python compares them
        default: return false;
    }
}

}  // namespace amalgam::jinja
