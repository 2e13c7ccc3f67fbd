#pragma once

#include "core/util/name_table.h"

namespace amalgam {

/** Why a generation ended: its stop token, a stop string, or the length limit. */
enum class StopReason { StopToken, StopString, Length };
inline constexpr NameTable<StopReason, 3> stop_reason_names{
    "stop reason", {{{StopReason::StopToken, "stop_token"}, {StopReason::StopString, "stop_string"}, {StopReason::Length, "length"}}}};
constexpr const auto& names(StopReason) { return stop_reason_names; }

}  // namespace amalgam
