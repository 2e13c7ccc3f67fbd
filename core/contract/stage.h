#pragma once

#include "core/util/name_table.h"

namespace amalgam {

/** The training objectives: supervised fine-tuning, the pairwise reward model, DPO, KTO on
 *  completions labelled desirable or undesirable, and PPO against a reward model. */
enum class Stage { Sft, RewardModel, Dpo, Kto, Ppo };
inline constexpr NameTable<Stage, 5> stage_names{
    "stage", {{{Stage::Sft, "sft"}, {Stage::RewardModel, "rm"}, {Stage::Dpo, "dpo"}, {Stage::Kto, "kto"}, {Stage::Ppo, "ppo"}}}};
constexpr const auto& names(Stage) { return stage_names; }

/** Whether a run of this stage answers prompts (a reward model scores; it does not answer). */
inline bool answers_prompts(Stage s) { return s != Stage::RewardModel; }

}  // namespace amalgam
