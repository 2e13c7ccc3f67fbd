#pragma once

#include <cstddef>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace amalgam {

/** A YAML document as JSON, with the line of every key ("optimizer.lr" -> 12), so that code
 *  which reads JSON can report errors at the YAML line. Plain scalars become numbers, true /
 *  false or null where they read so; quoted ones stay text. */
struct YamlJson {
    nlohmann::json value;
    std::map<std::string, std::size_t> lines;

    /** The line of a key path, or of its nearest parent that has one; 0 when none has. */
    std::size_t line_of(std::string key) const;
};

/** Parses YAML text; a syntax error is a DataError at its line in `origin`. */
YamlJson yaml_to_json(const std::string& text, const std::string& origin);

/** A JSON object as block YAML, keys in their order: nested objects indented, arrays of
 *  scalars inline, strings double-quoted, so that yaml_to_json reads back the same JSON. */
std::string json_to_yaml(const nlohmann::ordered_json& object);

}  // namespace amalgam
