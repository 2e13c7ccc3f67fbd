#include "core/train/train_config.h"

#include <filesystem>
#include <set>
#include <sstream>

namespace amalgam {
namespace {

using json = nlohmann::json;

/** Reads one mapping of the config, naming every key by its path for errors. */
class Section {
public:
    Section(const json& j, std::string path, const std::set<std::string>& allowed) : j_(j), path_(std::move(path)) {
        if (!j.is_object()) throw ConfigError(path_, "must be a mapping");
        for (const auto& [key, value] : j.items())
            if (!allowed.count(key)) {
                std::string list;
                for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
                throw ConfigError(key_of(key), "unknown key (expected one of: " + list + ")");
            }
    }

    bool has(const std::string& key) const { return j_.contains(key) && !j_.at(key).is_null(); }
    std::string key_of(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
    const json& at(const std::string& key) const { return j_.at(key); }

    void read(const std::string& key, std::string& out) const {
        if (!has(key)) return;
        if (!at(key).is_string()) throw ConfigError(key_of(key), "must be text");
        out = at(key).get<std::string>();
    }
    void read(const std::string& key, double& out, double low, double high) const {
        if (!has(key)) return;
        if (!at(key).is_number()) throw ConfigError(key_of(key), "must be a number");
        out = at(key).get<double>();
        if (!(out >= low && out <= high))
            throw ConfigError(key_of(key), "must be between " + number(low) + " and " + number(high));
    }
    void read(const std::string& key, std::int64_t& out, std::int64_t low) const {
        if (!has(key)) return;
        if (!at(key).is_number_integer()) throw ConfigError(key_of(key), "must be a whole number");
        out = at(key).get<std::int64_t>();
        if (out < low) throw ConfigError(key_of(key), "must be at least " + std::to_string(low));
    }
    void read(const std::string& key, bool& out) const {
        if (!has(key)) return;
        if (!at(key).is_boolean()) throw ConfigError(key_of(key), "must be true or false");
        out = at(key).get<bool>();
    }
    void read_path(const std::string& key, std::string& out, const std::string& base_dir) const {
        read(key, out);
        if (has(key) && !out.empty()) out = (std::filesystem::path(base_dir) / out).lexically_normal().string();
    }
    template <class E>
    void read_choice(const std::string& key, E& out) const {
        if (!has(key)) return;
        std::string name;
        read(key, name);
        const auto value = names(out).find(name);
        if (!value) throw ConfigError(key_of(key), "'" + name + "' is not one of " + names(out).choices());
        out = *value;
    }

private:
    static std::string number(double v) {
        std::ostringstream s;
        s << v;
        return s.str();
    }
    const json& j_;
    std::string path_;
};


}  // namespace

void check_inputs(const TrainConfig& c) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_regular_file(c.data, ec)) throw ConfigError("data", c.data + (fs::is_directory(c.data, ec) ? ": is a folder, expected a file of training data" : ": no such file"));
    if (c.eval_data.empty()) return;
    const bool folder = fs::is_directory(c.eval_data, ec);
    const std::string stage = to_string(c.stage);
    if (samples_completions(c.stage) && !folder)
        throw ConfigError("eval_data", c.eval_data + (fs::exists(c.eval_data, ec) ? ": is a file; " + stage + " evaluates on a folder of evaluation suites"
                                                                               : ": no such folder"));
    if (!samples_completions(c.stage) && !fs::is_regular_file(c.eval_data, ec))
        throw ConfigError("eval_data", c.eval_data + (folder ? ": is a folder; " + stage +
                                                                   " holds out a JSON-lines file of examples (a folder of evaluation suites is for ppo, grpo and rloo)"
                                                             : ": no such file"));
}

std::vector<std::string> preset_names() { return {"paper-sft", "paper-rm", "paper-ppo", "kto"}; }

TrainConfig preset_config(const std::string& name) {
    TrainConfig c;
    c.preset = name;
    // Both: AdamW, batch 4, max length 512, one epoch (paper, Appendix A.3). Not stated by the
    // paper, taken from the Stack-LLaMA scripts it follows: 100 warm-up steps. Not stated
    // either: the target modules (PEFT's default, q_proj and v_proj on Llama, which is what an
    // empty list means here), AdamW's betas and epsilon and gradient clipping at norm 1
    // (transformers' defaults), gradient accumulation 1 for the reward model.
    c.optimizer.warmup_steps = 100;
    c.batch_size = 4;
    c.grad_accum = 1;
    c.max_length = 512;
    c.epochs = 1;
    if (name == "paper-sft") {
        c.stage = Stage::Sft;
        c.optimizer.lr = 1e-5;
        c.optimizer.schedule = Schedule::Cosine;
        c.optimizer.weight_decay = 0.05;
        c.max_steps = 5000;
        c.lora = {16, 32, 0.05, {}};
    } else if (name == "paper-rm") {
        c.stage = Stage::RewardModel;
        c.optimizer.lr = 2e-5;
        c.optimizer.schedule = Schedule::Linear;
        c.optimizer.weight_decay = 0.001;
        c.lora = {8, 32, 0.1, {}};
    } else if (name == "paper-ppo") {
        // Stack-LLaMA's PPO (the paper follows it): batch 32, mini-batch 1, 4 PPO epochs, adaptive
        // KL from 0.2 toward 6; responses of 32 to 128 new tokens, top_k 0, top_p 1, and no stop
        // at EOS (its eos_token_id is 100,000, beyond the vocabulary). Not stated by the paper:
        // the warm-up (none in TRL's PPO) and the constant learning rate.
        c.stage = Stage::Ppo;
        c.optimizer.lr = 1.41e-5;
        c.optimizer.schedule = Schedule::Constant;
        c.optimizer.warmup_steps = 0;
        c.batch_size = 32;
        c.grad_accum = 4;
        c.max_steps = 20000;
        c.lora = {16, 32, 0.05, {}};
        c.eval_every = 100;
        c.log_every = 1;
        c.ppo.stop_at_eos = false;
    } else if (name == "kto") {
        // TRL's KTOConfig over transformers' TrainingArguments: learning rate 1e-6, batch 8, max
        // length 1024, three epochs, a linear schedule without warm-up, no weight decay, β 0.1
        // and both weights 1.
        c = TrainConfig{};
        c.preset = name;
        c.stage = Stage::Kto;
        c.optimizer.lr = 1e-6;
        c.optimizer.schedule = Schedule::Linear;
        c.batch_size = 8;
        c.max_length = 1024;
        c.epochs = 3;
    } else {
        std::string list;
        for (const auto& n : preset_names()) list += (list.empty() ? "" : ", ") + n;
        throw ConfigError("preset", "unknown preset '" + name + "' (" + list + ")");
    }
    return c;
}

TrainConfig stage_defaults(Stage stage) {
    TrainConfig c;
    c.stage = stage;
    if (samples_completions(stage)) {
        c.eval_every = 100;
        c.log_every = 1;  // a step is a whole round of rollouts: each is logged, as TRL does
    }
    if (stage == Stage::Grpo || stage == Stage::Rloo) c.batch_size = 16;  // completions a step
    if (stage == Stage::Rloo) {  // RLOOConfig's own defaults
        c.group.num_generations = 2;
        c.group.beta = 0.05;
    }
    return c;
}

bool is_prompt_template(const std::string& text) {
    if (text == "chat") return true;  // the checkpoint's own chat template
    const auto at_prompt = text.find("{prompt}"), at_response = text.find("{response}");
    return at_prompt != std::string::npos && at_response != std::string::npos && at_response > at_prompt;
}

TrainConfig train_config_from_json(const json& j, const std::string& base_dir) {
    Section top(j, "", {"stage", "preset", "model", "adapter", "reward", "data", "eval_data", "template", "lora", "optimizer",
                        "batch_size", "grad_accum", "max_length", "max_steps", "epochs", "save_every", "log_every",
                        "eval_every", "seed", "dpo", "kto", "ppo", "grpo", "rloo"});
    TrainConfig c;
    if (top.has("preset")) {
        std::string name;
        top.read("preset", name);
        c = preset_config(name);
    }
    if (!top.has("stage") && !top.has("preset")) throw ConfigError("stage", "is missing (" + stage_names.choices() + ")");
    top.read_choice("stage", c.stage);
    if (!top.has("preset")) c = stage_defaults(c.stage);  // nothing else is read yet
    top.read_path("model", c.model, base_dir);
    top.read_path("adapter", c.adapter, base_dir);
    top.read_path("reward", c.reward, base_dir);
    top.read_path("data", c.data, base_dir);
    top.read_path("eval_data", c.eval_data, base_dir);
    if (c.model.empty()) throw ConfigError("model", "is missing (a Hugging Face model folder)");
    if (c.data.empty()) throw ConfigError("data", "is missing (a JSONL file)");
    if (c.stage == Stage::Ppo && c.reward.empty()) throw ConfigError("reward", "is missing (the reward model's adapter folder)");
    for (const char* other : {"grpo", "rloo"})
        if (top.has(other) && to_string(c.stage) != std::string(other))
            throw ConfigError(other, std::string("is the ") + other + " stage's section; this run's stage is " + to_string(c.stage));
    top.read("template", c.prompt_template);
    if (!is_prompt_template(c.prompt_template))
        throw ConfigError("template", "must be chat, or contain {prompt} and, after it, {response}");

    if (top.has("lora")) {
        Section lora(top.at("lora"), "lora", {"r", "alpha", "dropout", "target_modules"});
        lora.read("r", c.lora.r, 1);
        lora.read("alpha", c.lora.alpha, 1e-9, 1e9);
        lora.read("dropout", c.lora.dropout, 0.0, 0.99);
        if (lora.has("target_modules")) {
            const json& t = lora.at("target_modules");
            if (!t.is_array() || t.empty()) throw ConfigError("lora.target_modules", "must be a non-empty list of module names");
            c.lora.target_modules.clear();
            for (const auto& name : t) {
                if (!name.is_string()) throw ConfigError("lora.target_modules", "must be a list of module names");
                c.lora.target_modules.push_back(name.get<std::string>());
            }
        }
    }
    if (top.has("optimizer")) {
        Section opt(top.at("optimizer"), "optimizer",
                    {"lr", "weight_decay", "schedule", "warmup_steps", "beta1", "beta2", "eps", "max_grad_norm"});
        opt.read("lr", c.optimizer.lr, 0.0, 1e6);
        opt.read("weight_decay", c.optimizer.weight_decay, 0.0, 1e3);
        opt.read_choice("schedule", c.optimizer.schedule);
        opt.read("warmup_steps", c.optimizer.warmup_steps, 0);
        opt.read("beta1", c.optimizer.beta1, 0.0, 0.999999);
        opt.read("beta2", c.optimizer.beta2, 0.0, 0.999999999);
        opt.read("eps", c.optimizer.eps, 1e-30, 1.0);
        opt.read("max_grad_norm", c.optimizer.max_grad_norm, 0.0, 1e9);
    }
    top.read("batch_size", c.batch_size, 1);
    top.read("grad_accum", c.grad_accum, 1);
    top.read("max_length", c.max_length, 8);
    if (top.has("max_steps")) {
        std::int64_t steps = 0;
        top.read("max_steps", steps, 1);
        c.max_steps = steps;
    } else if (top.has("epochs")) {
        c.max_steps.reset();  // the file counts in epochs, whatever its preset did
    }
    top.read("epochs", c.epochs, 1);
    top.read("save_every", c.save_every, 1);
    top.read("log_every", c.log_every, 1);
    top.read("eval_every", c.eval_every, 0);
    if (top.has("seed")) {
        std::int64_t seed = 0;
        top.read("seed", seed, 0);
        c.seed = static_cast<std::uint64_t>(seed);
    }
    if (top.has("dpo")) {
        Section dpo(top.at("dpo"), "dpo", {"beta", "precompute_reference"});
        dpo.read("beta", c.dpo_beta, 0.0, 1e6);
        dpo.read("precompute_reference", c.dpo_precompute_reference);
    }
    if (top.has("kto")) {
        Section kto(top.at("kto"), "kto", {"beta", "desirable_weight", "undesirable_weight", "precompute_ref_log_probs"});
        kto.read("beta", c.kto.beta, 0.0, 1e6);
        kto.read("desirable_weight", c.kto.desirable_weight, 0.0, 1e6);
        kto.read("undesirable_weight", c.kto.undesirable_weight, 0.0, 1e6);
        kto.read("precompute_ref_log_probs", c.kto.precompute_ref_log_probs);
    }
    if (c.stage == Stage::Grpo || c.stage == Stage::Rloo) {
        const std::string name = to_string(c.stage);
        if (!top.has(name)) throw ConfigError(name, "is missing: it names the rewards (" + name + ": {rewards: [...]})");
        const bool grpo = c.stage == Stage::Grpo;
        std::set<std::string> keys = {"num_generations", "max_completion_length", "temperature", "top_k", "top_p", "beta", "epsilon",
                                      "epsilon_high", "num_iterations", "rewards", "sample_every"};
        if (grpo) keys.insert({"scale_rewards", "loss_type"});
        else keys.insert("normalize_advantages");
        Section s(top.at(name), name, keys);
        GroupSettings& g = c.group;
        s.read("num_generations", g.num_generations, 2);
        s.read("max_completion_length", g.max_completion_length, 1);
        s.read("temperature", g.temperature, 1e-6, 100.0);
        s.read("top_k", g.top_k, 0);
        s.read("top_p", g.top_p, 1e-6, 1.0);
        s.read("beta", g.beta, 0.0, 1e6);
        s.read("epsilon", g.epsilon, 0.0, 10.0);
        if (s.has("epsilon_high")) {
            double high = 0;
            s.read("epsilon_high", high, 0.0, 10.0);
            g.epsilon_high = high;
        }
        s.read("num_iterations", g.num_iterations, 1);
        s.read_choice("scale_rewards", g.scale_rewards);
        s.read_choice("loss_type", g.loss_type);
        s.read("normalize_advantages", g.normalize_advantages);
        s.read("sample_every", g.sample_every, 1);
        if (!s.has("rewards")) throw ConfigError(s.key_of("rewards"), "is missing (a list: {model: ADAPTER}, {contains: TEXT}, {regex: PATTERN}, ...)");
        g.rewards = read_reward_specs(s.at("rewards"), s.key_of("rewards"), base_dir);
        if (c.batch_size % g.num_generations != 0)
            throw ConfigError("batch_size", "must be a multiple of " + name + ".num_generations (" + std::to_string(g.num_generations) +
                                                "): a step samples batch_size completions, num_generations per prompt");
        if (c.batch_size % c.grad_accum != 0) throw ConfigError("grad_accum", "must divide batch_size");
    }
    if (top.has("ppo")) {
        Section ppo(top.at("ppo"), "ppo", {"kl", "gamma", "lam", "cliprange", "cliprange_value", "vf_coef", "ppo_epochs", "mini_batch",
                                           "new_tokens", "top_k", "top_p", "stop_at_eos", "sample_every"});
        PpoSettings& p = c.ppo;
        if (ppo.has("kl")) {
            Section kl(ppo.at("kl"), "ppo.kl", {"adaptive", "init", "target", "horizon"});
            kl.read("adaptive", p.adaptive_kl);
            kl.read("init", p.kl_init, 0.0, 1e6);
            kl.read("target", p.kl_target, 1e-9, 1e6);
            kl.read("horizon", p.kl_horizon, 1.0, 1e12);
        }
        ppo.read("gamma", p.gamma, 0.0, 1.0);
        ppo.read("lam", p.lam, 0.0, 1.0);
        ppo.read("cliprange", p.cliprange, 0.0, 10.0);
        ppo.read("cliprange_value", p.cliprange_value, 0.0, 1e6);
        ppo.read("vf_coef", p.vf_coef, 0.0, 1e6);
        ppo.read("ppo_epochs", p.ppo_epochs, 1);
        ppo.read("mini_batch", p.mini_batch, 1);
        ppo.read("top_k", p.top_k, 0);
        ppo.read("top_p", p.top_p, 1e-6, 1.0);
        ppo.read("stop_at_eos", p.stop_at_eos);
        ppo.read("sample_every", p.sample_every, 1);
        if (ppo.has("new_tokens")) {
            const json& n = ppo.at("new_tokens");
            if (!n.is_array() || n.size() != 2 || !n[0].is_number_integer() || !n[1].is_number_integer() || n[0].get<std::int64_t>() < 1 ||
                n[1].get<std::int64_t>() < n[0].get<std::int64_t>())
                throw ConfigError("ppo.new_tokens", "must be [min, max], whole numbers with 1 <= min <= max");
            p.min_new_tokens = n[0].get<std::int64_t>();
            p.max_new_tokens = n[1].get<std::int64_t>();
        }
    }
    if (c.stage == Stage::Ppo && c.batch_size % c.ppo.mini_batch != 0)
        throw ConfigError("ppo.mini_batch", "must divide batch_size");
    if (c.stage == Stage::Kto && c.batch_size < 2)
        throw ConfigError("batch_size", "must be at least 2 for kto: its KL estimate pairs each prompt with another row's completion");
    return c;
}

nlohmann::ordered_json TrainConfig::to_json() const {
    nlohmann::ordered_json j = {{"stage", to_string(stage)}};
    if (!preset.empty()) j["preset"] = preset;
    j["model"] = model;
    if (!adapter.empty()) j["adapter"] = adapter;
    if (!reward.empty()) j["reward"] = reward;
    j["data"] = data;
    if (!eval_data.empty()) j["eval_data"] = eval_data;
    j["template"] = prompt_template;
    j["lora"] = {{"r", lora.r}, {"alpha", lora.alpha}, {"dropout", lora.dropout}};
    if (!lora.target_modules.empty()) j["lora"]["target_modules"] = lora.target_modules;
    j["optimizer"] = {{"lr", optimizer.lr},
                      {"weight_decay", optimizer.weight_decay},
                      {"schedule", to_string(optimizer.schedule)},
                      {"warmup_steps", optimizer.warmup_steps},
                      {"beta1", optimizer.beta1},
                      {"beta2", optimizer.beta2},
                      {"eps", optimizer.eps},
                      {"max_grad_norm", optimizer.max_grad_norm}};
    j["batch_size"] = batch_size;
    j["grad_accum"] = grad_accum;
    j["max_length"] = max_length;
    if (max_steps) j["max_steps"] = *max_steps;
    j["epochs"] = epochs;
    j["save_every"] = save_every;
    j["log_every"] = log_every;
    j["eval_every"] = eval_every;
    j["seed"] = seed;
    j["dpo"] = {{"beta", dpo_beta}, {"precompute_reference", dpo_precompute_reference}};
    if (stage == Stage::Grpo || stage == Stage::Rloo) {
        nlohmann::ordered_json g = {{"num_generations", group.num_generations},
                                    {"max_completion_length", group.max_completion_length},
                                    {"temperature", group.temperature},
                                    {"top_k", group.top_k},
                                    {"top_p", group.top_p},
                                    {"beta", group.beta},
                                    {"epsilon", group.epsilon}};
        if (group.epsilon_high) g["epsilon_high"] = *group.epsilon_high;
        g["num_iterations"] = group.num_iterations;
        if (stage == Stage::Grpo) {
            g["scale_rewards"] = to_string(group.scale_rewards);
            g["loss_type"] = to_string(group.loss_type);
        } else {
            g["normalize_advantages"] = group.normalize_advantages;
        }
        g["rewards"] = reward_specs_json(group.rewards);
        g["sample_every"] = group.sample_every;
        j[to_string(stage)] = g;
    }
    j["kto"] = {{"beta", kto.beta},
                {"desirable_weight", kto.desirable_weight},
                {"undesirable_weight", kto.undesirable_weight},
                {"precompute_ref_log_probs", kto.precompute_ref_log_probs}};
    j["ppo"] = {{"kl", {{"adaptive", ppo.adaptive_kl}, {"init", ppo.kl_init}, {"target", ppo.kl_target}, {"horizon", ppo.kl_horizon}}},
                {"gamma", ppo.gamma},
                {"lam", ppo.lam},
                {"cliprange", ppo.cliprange},
                {"cliprange_value", ppo.cliprange_value},
                {"vf_coef", ppo.vf_coef},
                {"ppo_epochs", ppo.ppo_epochs},
                {"mini_batch", ppo.mini_batch},
                {"new_tokens", {ppo.min_new_tokens, ppo.max_new_tokens}},
                {"top_k", ppo.top_k},
                {"top_p", ppo.top_p},
                {"stop_at_eos", ppo.stop_at_eos},
                {"sample_every", ppo.sample_every}};
    return j;
}

}  // namespace amalgam
