#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace amalgam {

/** Byte offset of the first byte that does not start a valid UTF-8 sequence, if any. */
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

/** Appends the UTF-8 bytes of one code point. */
void append_utf8(std::string& out, char32_t code_point);

}  // namespace amalgam
