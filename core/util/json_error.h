#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace amalgam {

/** nlohmann's message without its "[json.exception.type_error.302] " tag: what the user reads. */
inline std::string json_error_text(const nlohmann::json::exception& e) {
    const std::string what = e.what();
    const auto tag_end = what.find("] ");
    return what.rfind("[json.exception.", 0) == 0 && tag_end != std::string::npos ? what.substr(tag_end + 2) : what;
}

/** A member of a JSON object, or null where there is none (a const object's operator[] may
 *  not be asked for a missing key). */
inline const nlohmann::json& json_member(const nlohmann::json& object, const char* key) {
    static const nlohmann::json none;
    if (!object.is_object()) return none;
    auto it = object.find(key);
    return it == object.end() ? none : *it;
}

/** A token id: a whole number from 0 to 2^31 - 1; std::runtime_error naming `what` otherwise
 *  (a float or a huge number must not be converted: that is undefined). */
inline std::int32_t json_token_id(const nlohmann::json& value, const std::string& what) {
    if (!value.is_number_integer() || (value.is_number_unsigned() ? value.get<std::uint64_t>() > 0x7fffffffu
                                                                  : value.get<std::int64_t>() < 0 || value.get<std::int64_t>() > 0x7fffffff))
        throw std::runtime_error(what + " must be a token id (a whole number from 0 to 2147483647), not " + value.dump());
    return static_cast<std::int32_t>(value.get<std::int64_t>());
}

}  // namespace amalgam
