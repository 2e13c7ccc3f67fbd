#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/dist/process_group.h"
#include "core/model/generation.h"
#include "core/model/transformer.h"
#include "core/tokenize/tokenizer.h"
#include "core/train/optimizer.h"
#include "core/train/step_figures.h"
#include "core/train/train_config.h"
#include "core/train/train_data.h"

namespace amalgam {

/** What a GRPO or RLOO run holds beyond a supervised one: its reward models (adapters named
 *  "reward-1", ... with their score heads), the prompts with their rows (for match_field), and
 *  its step. The policy is the model's adapter named "policy", which the run adds; the
 *  reference is the model with no adapter. */
class GroupRlStage {
public:
    /** Loads each reward model of the config's rewards, refusing one without a score head.
     *  Over a group, this rank's steps are its share of each global step. */
    GroupRlStage(const TrainConfig& config, TransformerModel& model, ProcessGroup* group = nullptr);

    /** The prompts of the data as the template puts them before a completion, into `examples`;
     *  those leaving no room for max_completion_length are skipped and counted. */
    void load_prompts(const TextEncoder& encoder, std::vector<TrainExample>& examples);
    std::int64_t skipped_prompts() const { return prompts_.skipped; }

    /** TRL's names: reward, reward_std, rewards/NAME/mean for each reward, kl, entropy, the clip
     *  ratios, the completions' mean length and clipped ratio, frac_reward_zero_std, loss. */
    std::vector<std::string> metric_names() const;

    using Figures = StepFigures;
    /** One step over a batch of prompts: num_generations completions each, their rewards and
     *  advantages, then num_iterations optimizer steps over them in grad_accum micro-batches; a
     *  few samples into `samples_file` (none where it is empty) on a sampling step. Throws
     *  TrainingError where the loss is not finite. */
    Figures step(const std::vector<const TrainExample*>& prompts, const std::vector<std::int64_t>& rows, std::int64_t step, double lr,
                 AdamW& optimizer, const Tokenizer& tokenizer, const std::filesystem::path& samples_file);

private:
    /** The weighted rewards of completions [rows] and each reward's mean, from their texts and token counts. */
    at::Tensor rewards(const RolloutBatch& rollouts, const std::vector<std::int64_t>& prompt_rows, std::vector<double>& means) const;

    /** Sums `values` over the ranks (nothing to do in one process). */
    void sum_over_ranks(at::Tensor& values) const;

    const TrainConfig& config_;
    TransformerModel& model_;
    ProcessGroup* group_;
    std::vector<std::string> reward_adapters_;  ///< per reward: its adapter's name, or empty for a rule
    RolloutPrompts prompts_;
    std::vector<nlohmann::json> prompt_rows_;  ///< each prompt's row as the file gives it, for match_field
};

}  // namespace amalgam
