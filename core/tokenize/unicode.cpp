#include "core/tokenize/unicode.h"

#include <algorithm>

#include "core/tokenize/unicode_data.h"

namespace amalgam::unicode {
namespace {

using unicode_data::Mapping;

// Hangul syllables (de)compose by formula (Unicode 3.12), not by table.
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kSCount = 11172;

/// Below U+0300 nothing decomposes into, or composes with, a combining mark.
constexpr char32_t kFirstCombining = 0x300;

std::uint8_t combining_class(char32_t cp) {
    if (cp < kFirstCombining) return 0;
    using unicode_data::kCombiningClasses;
    const auto* end = kCombiningClasses + unicode_data::kCombiningClassCount;
    const auto* it = std::upper_bound(kCombiningClasses, end, static_cast<std::uint32_t>(cp),
                                      [](std::uint32_t c, const unicode_data::CombiningClassRun& r) { return c < r.first; });
    return it != kCombiningClasses && cp <= (it - 1)->last ? (it - 1)->combining_class : 0;
}

/// The primary composite of a and b, or 0.
char32_t compose(char32_t a, char32_t b) {
    if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
        return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
    if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase && b < kTBase + kTCount) return a + (b - kTBase);
    using unicode_data::kCompositions;
    const auto* end = kCompositions + unicode_data::kCompositionCount;
    const auto* it = std::lower_bound(kCompositions, end, std::make_pair(a, b), [](const unicode_data::Composition& c, std::pair<char32_t, char32_t> key) {
        return std::make_pair(static_cast<char32_t>(c.first), static_cast<char32_t>(c.second)) < key;
    });
    return it != end && it->first == a && it->second == b ? it->composite : 0;
}

const Mapping* find_mapping(const Mapping* table, std::size_t count, char32_t cp) {
    const Mapping* end = table + count;
    const Mapping* it = std::lower_bound(table, end, cp, [](const Mapping& m, char32_t c) { return m.from < c; });
    return it != end && it->from == cp ? it : nullptr;
}

}  // namespace

std::uint16_t flags(char32_t cp) {
    using unicode_data::kRuns;
    const auto* end = kRuns + unicode_data::kRunCount;
    const auto* it = std::upper_bound(kRuns, end, static_cast<std::uint32_t>(cp),
                                      [](std::uint32_t c, const unicode_data::CodepointRun& r) { return c < r.first; });
    return it == kRuns ? 0 : (it - 1)->flags;
}

std::u32string decode_utf8(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size()) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        char32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
        bool ok = true;
        for (std::size_t k = 1; k < len; ++k) {
            auto b = static_cast<unsigned char>(s[i + k]);
            ok = ok && (b & 0xC0) == 0x80;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (!ok) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += len;
    }
    return out;
}

std::string encode_utf8(std::u32string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char32_t cp : text) append_utf8(out, cp);
    return out;
}

std::vector<std::string> split_characters(std::string_view text) {
    std::vector<std::string> out;
    for (char32_t c : decode_utf8(text)) {
        out.emplace_back();
        append_utf8(out.back(), c);
    }
    return out;
}

void append_lower(std::u32string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        return;
    }
    if (const Mapping* m = find_mapping(unicode_data::kLower, unicode_data::kLowerCount, cp)) out.append(m->to, m->to + m->length);
    else out.push_back(cp);
}

void append_nfd(std::u32string& out, char32_t cp) {
    if (cp >= kSBase && cp < kSBase + kSCount) {
        char32_t s = cp - kSBase;
        out.push_back(kLBase + s / (kVCount * kTCount));
        out.push_back(kVBase + (s % (kVCount * kTCount)) / kTCount);
        if (s % kTCount) out.push_back(kTBase + s % kTCount);
        return;
    }
    if (cp < 0xC0) {
        out.push_back(cp);
        return;
    }
    if (const Mapping* m = find_mapping(unicode_data::kDecompositions, unicode_data::kDecompositionsCount, cp))
        out.append(m->to, m->to + m->length);
    else
        out.push_back(cp);
}

std::string nfc(std::string_view text) {
    std::u32string decomposed;
    bool plain = true;
    for (char32_t cp : decode_utf8(text)) {
        plain = plain && cp < kFirstCombining;
        append_nfd(decomposed, cp);
    }
    if (plain) return std::string(text);
    // Canonical order: each run of marks sorted by combining class, stably.
    for (std::size_t i = 0; i < decomposed.size();) {
        std::size_t j = i;
        while (j < decomposed.size() && combining_class(decomposed[j]) != 0) ++j;
        std::stable_sort(decomposed.begin() + i, decomposed.begin() + j,
                         [](char32_t a, char32_t b) { return combining_class(a) < combining_class(b); });
        i = j + 1;
    }
    // Composition: a mark joins the last starter unless a mark of the same or a higher class, or
    // a starter, stands between them.
    std::u32string out;
    std::size_t starter = std::u32string::npos;
    int last_class = -1;
    for (char32_t cp : decomposed) {
        const int cls = combining_class(cp);
        const bool blocked = starter != std::u32string::npos && last_class != -1 && (last_class >= cls || last_class == 0);
        if (starter != std::u32string::npos && !blocked) {
            if (const char32_t joined = compose(out[starter], cp)) {
                out[starter] = joined;
                continue;
            }
        }
        if (cls == 0) {
            starter = out.size();
            last_class = -1;
        } else {
            last_class = cls;
        }
        out.push_back(cp);
    }
    return encode_utf8(out);
}

}  // namespace amalgam::unicode
