#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace amalgam {

/** An enum's names: one table that printing, parsing, files, the store and the GUI all read, so
 *  that a name is spelt once (llama.cpp's LLM_ARCH_NAMES). A value's first row is its name;
 *  later rows for the same value are other spellings that parse to it and are never written.
 *
 *  An enum opts in with `constexpr const NameTable<E, N>& names(E)` beside it, found by ADL;
 *  to_string(e) and parse_name<E>(text) then work for it. */
template <typename Enum, std::size_t N>
struct NameTable {
    const char* what;  ///< the kind of name, for errors: "stage", "job state"
    std::array<std::pair<Enum, const char*>, N> rows;

    /** The value's name; every value has a row (the round-trip test checks each table). */
    constexpr const char* name(Enum value) const {
        for (const auto& [v, n] : rows)
            if (v == value) return n;
        return "?";
    }

    constexpr std::optional<Enum> find(std::string_view text) const {
        for (const auto& [v, n] : rows)
            if (text == n) return v;
        return std::nullopt;
    }

    /** The value `text` names; std::invalid_argument listing the names otherwise. */
    Enum parse(std::string_view text) const {
        if (const auto v = find(text)) return *v;
        throw std::invalid_argument("unknown " + std::string(what) + " '" + std::string(text) + "' (" + choices() + ")");
    }

    /** Every value once, in the table's order. */
    std::vector<Enum> values() const {
        std::vector<Enum> out;
        for (const auto& row : rows)
            if (std::string_view(name(row.first)) == row.second) out.push_back(row.first);
        return out;
    }

    /** "a, b or c": the names, without other spellings. */
    std::string choices() const {
        const std::vector<Enum> all = values();
        std::string out;
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (i) out += i + 1 == all.size() ? " or " : ", ";
            out += name(all[i]);
        }
        return out;
    }
};

template <typename Enum>
auto to_string(Enum value) -> decltype(names(value).name(value)) {
    return names(value).name(value);
}

/** The value of `Enum` that `text` names; std::invalid_argument listing the names otherwise. */
template <typename Enum>
Enum parse_name(std::string_view text) {
    return names(Enum{}).parse(text);
}

}  // namespace amalgam
