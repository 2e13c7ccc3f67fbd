#include "core/util/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include "core/util/data_error.h"
#include "core/util/utf8.h"

namespace amalgam {
namespace {

std::size_t line(const YAML::Node& node) { return node.Mark().is_null() ? 0 : static_cast<std::size_t>(node.Mark().line + 1); }

nlohmann::json scalar(const YAML::Node& node, const std::string& text) {
    if (node.Tag() == "!") return text;  // quoted
    if (text == "true" || text == "True") return true;
    if (text == "false" || text == "False") return false;
    if (text.empty() || text == "~" || text == "null") return nullptr;
    try {
        std::size_t used = 0;
        long long n = std::stoll(text, &used);
        if (used == text.size()) return n;
        double d = std::stod(text, &used);
        if (used == text.size()) return d;
    } catch (const std::exception&) {
    }
    return text;
}

/** YAML's escapes and its handling of control characters can make bytes that are not UTF-8
 *  out of a file that is; such a value is refused here, at its line, not when it is written. */
const std::string& utf8_scalar(const YAML::Node& node, const std::string& origin) {
    if (find_invalid_utf8(node.Scalar())) throw DataError(origin, line(node), "a value that is not valid UTF-8 text (a control character or escape?)");
    return node.Scalar();
}

nlohmann::json convert(const YAML::Node& node, const std::string& path, const std::string& origin, std::map<std::string, std::size_t>& lines) {
    switch (node.Type()) {
        case YAML::NodeType::Map: {
            nlohmann::json out = nlohmann::json::object();
            for (const auto& kv : node) {
                const std::string key = utf8_scalar(kv.first, origin);
                const std::string child = path.empty() ? key : path + "." + key;
                if (out.contains(key))
                    throw DataError(origin, line(kv.first), "'" + child + "' is given twice (first on line " + std::to_string(lines[child]) + ")");
                lines[child] = line(kv.first);
                out[key] = convert(kv.second, child, origin, lines);
            }
            return out;
        }
        case YAML::NodeType::Sequence: {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& item : node) out.push_back(convert(item, path, origin, lines));
            return out;
        }
        case YAML::NodeType::Scalar: return scalar(node, utf8_scalar(node, origin));
        default: return nullptr;
    }
}

}  // namespace

std::size_t YamlJson::line_of(std::string key) const {
    while (true) {
        if (auto it = lines.find(key); it != lines.end()) return it->second;
        const auto dot = key.rfind('.');
        if (dot == std::string::npos) return 0;
        key.resize(dot);
    }
}

YamlJson yaml_to_json(const std::string& text, const std::string& origin) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        throw DataError(origin, static_cast<std::size_t>(e.mark.line + 1), e.msg);
    }
    YamlJson out;
    out.value = convert(root, "", origin, out.lines);
    return out;
}

namespace {

void emit_yaml(const nlohmann::ordered_json& object, const std::string& indent, std::string& out) {
    for (const auto& [key, value] : object.items()) {
        out += indent + key + ":";
        if (value.is_object() && !value.empty()) {
            out += "\n";
            emit_yaml(value, indent + "  ", out);
        } else {
            // JSON scalars and flat arrays are YAML flow nodes as they are.
            out += " " + value.dump() + "\n";
        }
    }
}

}  // namespace

std::string json_to_yaml(const nlohmann::ordered_json& object) {
    std::string out;
    emit_yaml(object, "", out);
    return out;
}

}  // namespace amalgam
