#pragma once

#include <map>
#include <string>

namespace amalgam {

/** How to read one dataset file. */
struct ImportOptions {
    /// Field names of the file by canonical name (prompt, response, chosen, rejected,
    /// responses, instruction, input, output, id); a name not given here is its own.
    std::map<std::string, std::string> fields;
    /// Pass over malformed lines (counted in the report) instead of stopping at the first.
    bool skip_bad_lines = false;
    /// The label the recipe orders this dataset by, when it names one: a record that has it
    /// with anything but a finite number is malformed.
    std::string label;

    std::string field(const std::string& canonical) const {
        auto it = fields.find(canonical);
        return it == fields.end() ? canonical : it->second;
    }
};

}  // namespace amalgam
