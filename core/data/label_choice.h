#pragma once

#include <optional>
#include <string>

#include "core/util/name_table.h"

namespace amalgam {

enum class Direction { LowerIsBetter, HigherIsBetter };
inline constexpr NameTable<Direction, 2> direction_names{
    "direction", {{{Direction::LowerIsBetter, "lower_is_better"}, {Direction::HigherIsBetter, "higher_is_better"}}}};
constexpr const auto& names(Direction) { return direction_names; }

/** The label that orders a graded dataset's answers, and which way is better. */
struct LabelChoice {
    std::string name;  // e.g. "detoxify.toxicity", "labels.quality", "rank", a CSV column
    Direction direction = Direction::HigherIsBetter;
    /// Where a numerical label turns from undesirable to desirable for unpaired rows; none
    /// takes the dataset's median (see unify()).
    std::optional<double> threshold = std::nullopt;
};

/** Ranks are ordinal: they order answers but their differences are no quality score. */
inline constexpr const char* kRankLabel = "rank";

/** Thumbs up or down per answer (the generic format's thumbs field), read as 1 and 0. */
inline constexpr const char* kThumbsLabel = "thumbs";

}  // namespace amalgam
