#pragma once

#include <string>

namespace amalgam {

enum class Direction { LowerIsBetter, HigherIsBetter };

/** The label that orders a graded dataset's answers, and which way is better. */
struct LabelChoice {
    std::string name;  // e.g. "detoxify.toxicity", "labels.quality", "rank", a CSV column
    Direction direction = Direction::HigherIsBetter;
};

/** Ranks are ordinal: they order answers but their differences are no quality score. */
inline constexpr const char* kRankLabel = "rank";

const char* to_string(Direction d);
Direction direction_from_string(const std::string& s);  // throws std::invalid_argument

}  // namespace amalgam
