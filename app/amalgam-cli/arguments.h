#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace amalgam::cli {

/** A mistake on the command line: reported with the command's usage, exit status 2. */
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/** Command-line words split into positionals, --name VALUE options and --flags. Options and
 *  flags a command does not know, and empty or invalid UTF-8 values, are a UsageError. */
class Arguments {
public:
    Arguments(const std::vector<std::string>& words, const std::set<std::string>& options,
              const std::set<std::string>& flags);

    const std::vector<std::string>& positional() const { return positional_; }
    std::optional<std::string> option(const std::string& name) const;
    bool flag(const std::string& name) const { return flags_.count(name) > 0; }

    /** A finite number; UsageError for anything else. */
    double number(const std::string& name, double fallback) const;
    /** The same within [low, high], or (low, high] when `low_open`. */
    double number_in(const std::string& name, double fallback, double low, double high, bool low_open = false) const;
    std::uint64_t unsigned_integer(const std::string& name, std::uint64_t fallback) const;
    /** The same within [low, high]. */
    std::uint64_t integer_in(const std::string& name, std::uint64_t fallback, std::uint64_t low, std::uint64_t high) const;

private:
    std::vector<std::string> positional_;
    std::map<std::string, std::string> options_;
    std::set<std::string> flags_;
};

}  // namespace amalgam::cli
