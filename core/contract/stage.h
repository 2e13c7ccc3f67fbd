#pragma once

#include "core/util/name_table.h"

namespace amalgam {

/** The training objectives: supervised fine-tuning, the pairwise reward model, DPO, and PPO
 *  against a reward model. */
enum class Stage { Sft, RewardModel, Dpo, Ppo };
inline constexpr NameTable<Stage, 4> stage_names{"stage", {{{Stage::Sft, "sft"}, {Stage::RewardModel, "rm"}, {Stage::Dpo, "dpo"}, {Stage::Ppo, "ppo"}}}};
constexpr const auto& names(Stage) { return stage_names; }

/** Whether a run of this stage answers prompts (a reward model scores; it does not answer). */
inline bool answers_prompts(Stage s) { return s != Stage::RewardModel; }

}  // namespace amalgam
