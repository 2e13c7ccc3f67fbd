#pragma once

#include "core/util/utf8.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace amalgam::unicode {

/** Character classes, from the Unicode general category (and the White_Space property). */
enum Flag : std::uint16_t {
    Letter = 1,           // L*
    Number = 2,           // N*
    Mark = 4,             // M*
    Punctuation = 8,      // P*
    Symbol = 16,          // S*
    Whitespace = 32,      // White_Space
    Other = 64,           // C*: controls, format characters, unassigned, private use
    NonspacingMark = 128,  // Mn: what accent stripping removes
    CasedUpper = 256,      // Lu, Lt
    CasedLower = 512       // Ll
};

std::uint16_t flags(char32_t cp);
inline bool is(char32_t cp, Flag f) { return (flags(cp) & f) != 0; }

/** Code points of UTF-8 text; an invalid byte becomes U+FFFD. */
std::u32string decode_utf8(std::string_view text);
using ::amalgam::append_utf8;  // core/util/utf8.h
std::string encode_utf8(std::u32string_view text);
/** Each character of UTF-8 text as its own string. */
std::vector<std::string> split_characters(std::string_view text);

/** Appends the full lower-case mapping of cp (one or more code points). */
void append_lower(std::u32string& out, char32_t cp);
/** Appends the canonical decomposition (NFD) of cp. */
void append_nfd(std::u32string& out, char32_t cp);
/** The canonical composition (NFC) of UTF-8 text, as the tokenizers' NFC normaliser gives it. */
std::string nfc(std::string_view text);

}  // namespace amalgam::unicode
