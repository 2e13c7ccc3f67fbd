#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/tokenize/tokenizer.h"
#include "core/model/transformer.h"
#include "core/train/checkpoint.h"
#include "core/train/objectives.h"
#include "core/train/optimizer.h"
#include "core/train/ppo_math.h"
#include "core/train/step_figures.h"
#include "core/train/train_config.h"
#include "core/train/train_data.h"

namespace amalgam {

/** What a PPO run holds beyond a supervised one: the reward adapter (checked), the value head,
 *  the KL controller and the prompts' texts; and its step. The policy is the model's adapter
 *  named "policy", which the run adds. */
class PpoStage {
public:
    /** Loads the reward adapter as "reward" (refusing one without a score head) and makes a
     *  fresh value head. Over a group, this rank's steps are its share of each global step. */
    PpoStage(const TrainConfig& config, TransformerModel& model, ProcessGroup* group = nullptr);

    /** The prompts of the data as the template puts them before a response, into `examples`;
     *  those leaving no room for the longest response are skipped and counted. */
    void load_prompts(const TextEncoder& encoder, std::vector<TrainExample>& examples);
    std::int64_t skipped_prompts() const { return prompts_.skipped; }

    static std::vector<std::string> metric_names();
    /** The value head's weight and bias, to train beside the policy adapter. */
    std::vector<Parameter> parameters();

    using Figures = StepFigures;
    /** One step over a batch of prompts: rollouts, scores, advantages, PPO epochs; a few samples
     *  into `samples_file` (none where it is empty) when the step is a sampling one. Over a
     *  group, `batch` is this rank's, `rows_by_rank` every rank's prompt count, and the figures
     *  are those of all the prompts. Throws TrainingError where a loss is not finite. */
    Figures step(const MicroBatch& batch, const std::vector<std::int64_t>& rows_by_rank, std::int64_t step, double lr, AdamW& optimizer,
                 const Tokenizer& tokenizer, const std::filesystem::path& samples_file);

    /** Checkpointed beside the adapter: the value head, and the KL coefficient. */
    ExtraTensors value_head_tensors() const;
    nlohmann::json state() const { return {{"kl_coef", kl_.value}}; }
    void restore(const std::filesystem::path& checkpoint, const nlohmann::json& state);

    static const char* const kValueHeadFile;

private:
    /** A seed of this step's for this rank: rank 0's is one process's. */
    std::uint64_t rank_seed(std::uint64_t step_seed, std::uint64_t purpose) const;

    const TrainConfig& config_;
    TransformerModel& model_;
    ProcessGroup* group_;
    ScalarHead value_head_;
    ppo::KlController kl_;
    RolloutPrompts prompts_;
};

}  // namespace amalgam
