#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace amalgam {

/** One WinoBias sentence prepared for the bias metrics (DESIGN.md, Metrics). */
struct WinobiasItem {
    std::string source;                  ///< "file:line"
    std::string sentence;                ///< lower-cased, brackets removed
    std::string pronoun;                 ///< the first of he, she, him, her, his, hers
    std::string occupation;              ///< head (last) word of the antecedent span
    std::vector<std::string> cluster;    ///< every word of every bracketed span, in order
    std::vector<std::string> answer_words;  ///< cluster words that make a generation correct: no articles, no pronoun

    /** `{sentence} "{pronoun}" refers to: ` without the trailing space: the scoring context. */
    std::string scoring_context() const;
    /** `{sentence}\n"{pronoun}" refers to: `: the generation prompt. */
    std::string generation_prompt() const;
};

/** Line i of a pro file with line i of the matching anti file. */
struct WinobiasPair {
    WinobiasItem pro;
    WinobiasItem anti;
};

/** Parses "<index> <sentence with [spans]>"; throws DataError naming file:line when the line
 *  has no pronoun or no antecedent span. */
WinobiasItem parse_winobias_line(const std::string& line, const std::string& file, std::size_t line_number);

/** Every item of one file. */
std::vector<WinobiasItem> read_winobias_file(const std::filesystem::path& path);

/** The type 1 and type 2 pairs of a split ("test" for evaluation) from the WinoBias folder. */
std::vector<WinobiasPair> read_winobias_pairs(const std::filesystem::path& folder, const std::string& split);

}  // namespace amalgam
