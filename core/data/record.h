#pragma once

#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "core/util/name_table.h"

namespace amalgam {

/** One earlier turn of a conversation, kept as context for training. */
struct Turn {
    std::string role;  // "user" or "assistant"
    std::string text;
};

/** An answer to a prompt with whatever numeric labels its dataset gave it. An ordinal rank
 *  (0 = best) is stored as the label named "rank". */
struct Response {
    std::string text;
    std::map<std::string, double> labels;
};

/** How a prompt's answers are supervised, simplest first (paper A.2). */
enum class Supervision {
    Binary,     // responses[0] is preferred over responses[1]
    Graded,     // responses carry numeric labels or ranks; the recipe picks one and its direction
    Unlabelled  // answers without a preference (evaluation-only data, demonstrations)
};
inline constexpr NameTable<Supervision, 3> supervision_names{
    "supervision", {{{Supervision::Binary, "binary"}, {Supervision::Graded, "graded"}, {Supervision::Unlabelled, "unlabelled"}}}};
constexpr const auto& names(Supervision) { return supervision_names; }

/** A prompt as read from a dataset: its own id there, the text that gets embedded, the earlier
 *  conversation, and its answers. */
struct Prompt {
    std::string source_id;
    std::string text;
    std::vector<Turn> context;
    std::vector<Response> responses;
    Supervision supervision = Supervision::Graded;
};

/** What an import saw besides the records. */
struct ImportReport {
    std::size_t lines = 0;          // records read (lines, rows or trees)
    std::size_t skipped_lines = 0;  // bad lines passed over with skip_bad_lines
    std::string first_skipped;      // the first of them, as "file:line: reason"
};

/** A dataset read from disk. */
struct Dataset {
    std::string format;
    std::string content_hash;  // SHA-256 over every file the import read
    std::vector<Prompt> prompts;
    ImportReport report;
};

/** Every label name the answers of these prompts carry ("rank" included), sorted. */
std::set<std::string> label_names(const std::vector<Prompt>& prompts);

}  // namespace amalgam
