#pragma once

#include "core/util/name_table.h"

namespace amalgam {

/** The training objectives: supervised fine-tuning, the pairwise reward model, DPO, KTO on
 *  completions labelled desirable or undesirable, PPO against a reward model, and GRPO and RLOO,
 *  which sample a group of completions per prompt and take the group's rewards as baseline. */
enum class Stage { Sft, RewardModel, Dpo, Kto, Ppo, Grpo, Rloo };
inline constexpr NameTable<Stage, 7> stage_names{"stage",
                                                 {{{Stage::Sft, "sft"},
                                                   {Stage::RewardModel, "rm"},
                                                   {Stage::Dpo, "dpo"},
                                                   {Stage::Kto, "kto"},
                                                   {Stage::Ppo, "ppo"},
                                                   {Stage::Grpo, "grpo"},
                                                   {Stage::Rloo, "rloo"}}}};
constexpr const auto& names(Stage) { return stage_names; }

/** Whether a stage learns from completions its policy samples as it trains (PPO, GRPO, RLOO):
 *  it reads only the prompts of its data and evaluates on a folder of evaluation suites. */
inline bool samples_completions(Stage s) { return s == Stage::Ppo || s == Stage::Grpo || s == Stage::Rloo; }

/** Whether a run of this stage answers prompts (a reward model scores; it does not answer). */
inline bool answers_prompts(Stage s) { return s != Stage::RewardModel; }

}  // namespace amalgam
