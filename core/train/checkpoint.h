#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/model/transformer.h"
#include "core/train/optimizer.h"

namespace amalgam {

/** Where a run stands after an optimizer step: everything beyond the tensors that resuming
 *  needs to continue exactly as if it had never stopped. Randomness is drawn from generators
 *  seeded by (seed, step, micro-batch), so the step number is the whole random state. */
struct TrainerState {
    std::int64_t step = 0;
    std::int64_t micro_batches = 0;   ///< the data cursor: micro-batches consumed so far
    std::int64_t optimizer_steps = 0;  ///< AdamW's step count (PPO takes several per step)
    std::uint64_t metrics_bytes = 0;  ///< metrics.jsonl's length at this step
    nlohmann::json window = nlohmann::json::object();  ///< metric sums since the last logged step
    nlohmann::json extra = nlohmann::json::object();   ///< a stage's own state (PPO: the KL coefficient)
};

/** A safetensors file a stage adds to its checkpoints (PPO: the value head). */
struct ExtraTensors {
    std::string file;
    std::vector<TensorData> tensors;
};

/** Writes checkpoints/step-N/ (the adapter in PEFT's layout with any head, the optimizer's
 *  moments, trainer_state.json) all or nothing: into a partial folder, then renamed. Keeps
 *  the newest `keep` checkpoints. */
void save_checkpoint(const std::filesystem::path& run_dir, const TransformerModel& model, const AdamW& optimizer,
                     const TrainerState& state, const std::string& base_model, const std::vector<ExtraTensors>& extra = {},
                     int keep = 2);

/** The newest complete checkpoint of a run, if any; partial folders a killed run left behind are removed. */
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& run_dir);

/** Reads trainer_state.json of a checkpoint; errors name the file. */
TrainerState load_trainer_state(const std::filesystem::path& checkpoint);

}  // namespace amalgam
