#include "arguments.h"

#include <cmath>
#include <cstdio>

#include "core/util/utf8.h"

namespace amalgam::cli {
namespace {

std::string format_number(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", v);
    return buffer;
}

}  // namespace

Arguments::Arguments(const std::vector<std::string>& words, const std::set<std::string>& options,
                     const std::set<std::string>& flags) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.rfind("--", 0) != 0 || w == "--") {
            positional_.push_back(w);
            continue;
        }
        std::string name = w.substr(2), value;
        bool inline_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inline_value = true;
        }
        if (flags.count(name) && !inline_value) {
            flags_.insert(name);
        } else if (options.count(name)) {
            if (!inline_value) {
                if (i + 1 >= words.size()) throw UsageError("--" + name + " needs a value");
                value = words[++i];
            }
            if (value.empty()) throw UsageError("--" + name + " needs a value, not an empty one");
            if (find_invalid_utf8(value)) throw UsageError("--" + name + " is not valid UTF-8");
            options_[name] = value;
        } else {
            throw UsageError("unknown option --" + name);
        }
    }
}

std::optional<std::string> Arguments::option(const std::string& name) const {
    auto it = options_.find(name);
    if (it == options_.end()) return std::nullopt;
    return it->second;
}

double Arguments::number(const std::string& name, double fallback) const {
    auto v = option(name);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        double d = std::stod(*v, &used);
        if (used == v->size() && std::isfinite(d)) return d;
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + " needs a finite number, not '" + *v + "'");
}

double Arguments::number_in(const std::string& name, double fallback, double low, double high, bool low_open) const {
    const double v = number(name, fallback);
    if (v < low || v > high || (low_open && v == low))
        throw UsageError("--" + name + " must be in " + (low_open ? "(" : "[") + format_number(low) + ", " + format_number(high) + "]");
    return v;
}

std::uint64_t Arguments::integer_in(const std::string& name, std::uint64_t fallback, std::uint64_t low, std::uint64_t high) const {
    const std::uint64_t v = unsigned_integer(name, fallback);
    if (v < low || v > high) throw UsageError("--" + name + " must be from " + std::to_string(low) + " to " + std::to_string(high));
    return v;
}

std::uint64_t Arguments::unsigned_integer(const std::string& name, std::uint64_t fallback) const {
    auto v = option(name);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        unsigned long long n = std::stoull(*v, &used);
        if (used == v->size() && (*v)[0] != '-') return n;
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + " needs a non-negative integer, not '" + *v + "'");
}

}  // namespace amalgam::cli
