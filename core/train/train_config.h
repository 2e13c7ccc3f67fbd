#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/contract/stage.h"
#include "core/train/reward_rules.h"
#include "core/util/name_table.h"

namespace amalgam {

/** How the learning rate moves after warm-up, as transformers' get_scheduler names them. */
enum class Schedule { Constant, Linear, Cosine };
inline constexpr NameTable<Schedule, 3> schedule_names{
    "schedule", {{{Schedule::Constant, "constant"}, {Schedule::Linear, "linear"}, {Schedule::Cosine, "cosine"}}}};
constexpr const auto& names(Schedule) { return schedule_names; }

struct OptimizerConfig {
    double lr = 1e-5;
    double weight_decay = 0.0;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  ///< AdamW
    Schedule schedule = Schedule::Linear;
    std::int64_t warmup_steps = 0;
    double max_grad_norm = 1.0;  ///< clip the global gradient norm to this; 0 turns clipping off
};

struct LoraSettings {
    std::int64_t r = 8;
    double alpha = 16;
    double dropout = 0.0;
    std::vector<std::string> target_modules;  ///< empty: the family's default (q and v)
};

/** PPO's settings, as TRL's PPOConfig names them. */
struct PpoSettings {
    bool adaptive_kl = true;
    double kl_init = 0.2, kl_target = 6.0, kl_horizon = 10000.0;
    double gamma = 1.0, lam = 0.95;
    double cliprange = 0.2, cliprange_value = 0.2, vf_coef = 0.1;
    std::int64_t ppo_epochs = 4, mini_batch = 1;
    std::int64_t min_new_tokens = 32, max_new_tokens = 128;  ///< each step's length is drawn from this range
    std::int64_t top_k = 0;
    double top_p = 1.0;
    bool stop_at_eos = true;  ///< false: every response runs to its drawn length, as Stack-LLaMA's
    std::int64_t sample_every = 10;  ///< steps between the samples written to samples.jsonl
};

/** KTO's settings, as TRL's KTOConfig names them. */
struct KtoSettings {
    double beta = 0.1;
    double desirable_weight = 1.0;    ///< λ_D, the weight of a desirable completion's loss
    double undesirable_weight = 1.0;  ///< λ_U, the weight of an undesirable one's
    bool precompute_ref_log_probs = false;  ///< the reference's log-probabilities of the completions, before training
};

namespace group_rl {

/** How GRPO scales a reward's distance from its group's mean, as TRL's `scale_rewards` names it. */
enum class ScaleRewards { Group, Batch, None };
inline constexpr NameTable<ScaleRewards, 3> scale_rewards_names{
    "scale_rewards", {{{ScaleRewards::Group, "group"}, {ScaleRewards::Batch, "batch"}, {ScaleRewards::None, "none"}}}};
constexpr const auto& names(ScaleRewards) { return scale_rewards_names; }

/** How GRPO's token losses make a step's loss, as TRL's `loss_type` names it: each sequence's
 *  mean, then the mean over sequences (grpo); the token sum over sequences × the longest
 *  completion allowed (dr_grpo); the token sum over the step's tokens (dapo). */
enum class LossType { Grpo, DrGrpo, Dapo };
inline constexpr NameTable<LossType, 3> loss_type_names{
    "loss_type", {{{LossType::Grpo, "grpo"}, {LossType::DrGrpo, "dr_grpo"}, {LossType::Dapo, "dapo"}}}};
constexpr const auto& names(LossType) { return loss_type_names; }

}  // namespace group_rl

/** GRPO's and RLOO's settings, as TRL's GRPOConfig and RLOOConfig name them, in a section named
 *  after the stage. A step samples `batch_size` completions, num_generations per prompt. */
struct GroupSettings {
    std::int64_t num_generations = 8;          ///< RLOO: 2
    std::int64_t max_completion_length = 256;
    double temperature = 1.0;
    std::int64_t top_k = 0;
    double top_p = 1.0;
    double beta = 0.0;                   ///< the KL's weight (RLOO: 0.05, in the reward)
    double epsilon = 0.2;                ///< the clip's lower side
    std::optional<double> epsilon_high;  ///< its upper side: epsilon where unset
    std::int64_t num_iterations = 1;     ///< optimizer steps on each batch of completions
    group_rl::ScaleRewards scale_rewards = group_rl::ScaleRewards::Group;  ///< GRPO
    group_rl::LossType loss_type = group_rl::LossType::Dapo;              ///< GRPO
    bool normalize_advantages = false;   ///< RLOO
    std::vector<RewardSpec> rewards;
    std::int64_t sample_every = 10;      ///< steps between the samples written to samples.jsonl
};

/** One run's settings: the YAML a user writes, over a preset, resolved. Paths are absolute. */
struct TrainConfig {
    Stage stage = Stage::Sft;
    std::string preset;  ///< the preset it started from, or empty
    std::string model;
    std::string adapter;  ///< merged into the model before training (RM, DPO and PPO start from SFT)
    std::string reward;   ///< PPO: the reward model's adapter folder (LoRA and score head)
    std::string data;
    std::string eval_data;
    std::string prompt_template = "Question: {prompt}\n\nAnswer: {response}";  ///< or "chat": the checkpoint's chat template
    LoraSettings lora;
    OptimizerConfig optimizer;
    std::int64_t batch_size = 4;
    std::int64_t grad_accum = 1;
    std::int64_t max_length = 512;
    std::optional<std::int64_t> max_steps;  ///< the run's length in optimizer steps...
    std::int64_t epochs = 1;                ///< ...or in passes over the data, when max_steps is unset
    std::int64_t save_every = 500;
    std::int64_t log_every = 10;
    std::int64_t eval_every = 0;  ///< 0: evaluate at the end only (when there is eval_data)
    std::uint64_t seed = 0;
    double dpo_beta = 0.1;
    bool dpo_precompute_reference = false;
    KtoSettings kto;
    PpoSettings ppo;
    GroupSettings group;  ///< GRPO's or RLOO's, in the section named after the stage

    /** The resolved settings as run.json records them; from_json reads them back. */
    nlohmann::ordered_json to_json() const;
};

/** A config key that is wrong, and why: `key` is its path ("optimizer.lr"), so that the YAML
 *  reader can point at the line. */
class ConfigError : public std::runtime_error {
public:
    ConfigError(std::string key, const std::string& reason)
        : std::runtime_error(key.empty() ? reason : key + ": " + reason), key_(std::move(key)), reason_(reason) {}
    const std::string& key() const { return key_; }
    const std::string& reason() const { return reason_; }

private:
    std::string key_;
    std::string reason_;
};

/** The settings of a preset by name: paper-sft, paper-rm, paper-ppo (the paper's Appendix A.3),
 *  and kto (TRL's KTOConfig defaults: the paper has no KTO). */
TrainConfig preset_config(const std::string& name);
/** A stage's settings without a preset: the defaults above, and for PPO a metrics line every
 *  step and an evaluation every 100 steps (the step at which the paper evaluates its RLHF
 *  policies). */
TrainConfig stage_defaults(Stage stage);
std::vector<std::string> preset_names();

/** A config from its JSON form (a YAML file read into JSON, or run.json): the preset first,
 *  then the file's own values over it. Relative paths are taken from `base_dir`. Throws
 *  ConfigError naming the key. */
TrainConfig train_config_from_json(const nlohmann::json& j, const std::string& base_dir);

/** Refuses a config whose files are not what its stage reads, before anything is queued or
 *  loaded: data is a file; eval_data is a held-out JSON-lines file for SFT, RM, DPO and KTO, and
 *  a folder of evaluation suites for PPO. Throws ConfigError naming the key. */
void check_inputs(const TrainConfig& config);

/** Whether a prompt template is "chat" (the checkpoint's chat template) or holds {prompt} and,
 *  after it, {response}. */
bool is_prompt_template(const std::string& text);

}  // namespace amalgam
