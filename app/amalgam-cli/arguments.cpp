#include "arguments.h"

namespace amalgam::cli {

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
        if (used == v->size()) return d;
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + " needs a number, not '" + *v + "'");
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
