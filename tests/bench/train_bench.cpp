// Training speed on the CPU: steps/s and tokens/s of SFT, the reward model and DPO on the tiny
// and small presets (Llama family, byte-level tokenizer), batch 4, texts of about 250 tokens,
// LoRA r 16 on q_proj and v_proj, beside each the --estimate of the time per step; and PPO's
// seconds per step with the share spent generating, also with the GPT-2 vocabulary where the
// public data is at hand.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include "core/model_io/model_config.h"
#include "core/model_io/model_init.h"
#include "core/model/threads.h"
#include "core/train/estimate.h"
#include "core/train/trainer.h"
#include "core/util/blas_kernels.h"
#include "core/util/memory_reuse.h"
#include "tests/shared_data.h"

using namespace amalgam;
namespace fs = std::filesystem;

namespace {

/** Rows of random words: prompts of about 60 characters, answers of about 190. */
fs::path write_rows(const fs::path& file, int count) {
    static const char* words[] = {"the", "model", "answer", "question", "river", "bright", "seven", "quietly", "paper", "method"};
    std::mt19937_64 rng(1);
    auto text = [&](std::size_t chars) {
        std::string t;
        while (t.size() < chars) t += std::string(t.empty() ? "" : " ") + words[rng() % 10];
        return t;
    };
    std::ofstream out(file);
    for (int i = 0; i < count; ++i)
        out << nlohmann::json{{"prompt", text(60)}, {"chosen", text(190)}, {"rejected", text(190)}}.dump() << "\n";
    return file;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/** Wall seconds of a run of `steps` steps, and a figure each step after the first logged. */
std::pair<double, std::vector<double>> timed_run(TrainConfig c, const fs::path& run_dir, std::int64_t steps,
                                                 const std::string& figure = "tokens_per_s") {
    c.max_steps = steps;
    c.save_every = steps;
    TrainOptions options;
    options.run_dir = run_dir;
    const auto start = std::chrono::steady_clock::now();
    train(c, options);
    const double seconds = seconds_since(start);
    std::vector<double> rates;
    std::ifstream in(run_dir / "metrics.jsonl");
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j["step"].get<int>() > 1) rates.push_back(j[figure].get<double>());
    }
    return {seconds, rates};
}

void bench(const fs::path& root, const std::string& preset, Stage stage, std::int64_t steps, const fs::path& data) {
    const fs::path model = root / ("llama-" + preset);
    if (!fs::exists(model)) {
        ModelInitOptions o;
        o.preset = preset;
        init_random_model(model, o);
    }
    TrainConfig c;
    c.stage = stage;
    c.model = model.string();
    c.data = data.string();
    c.lora = {16, 32, 0.05, {}};
    c.batch_size = 4;
    c.max_length = 512;
    c.log_every = 1;
    const std::string name = preset + "-" + to_string(stage);
    // Loading, tokenising and the first step cost the same in both runs: the difference is steps alone.
    const double one = timed_run(c, root / (name + "-1"), 1).first;
    auto [all, rates] = timed_run(c, root / name, steps);
    std::sort(rates.begin(), rates.end());
    const ModelConfig mc = ModelConfig::load(model / "config.json");
    const TrainEstimate e = estimate_training(mc, c, at::kFloat, measure_device_flops(at::kCPU, at::kFloat));
    std::printf("  %-5s %-4s %7.2f steps/s  %8.0f tokens/s (median)   estimate %.3f s/step, %s peak\n", preset.c_str(), to_string(stage),
                static_cast<double>(steps - 1) / (all - one), rates[rates.size() / 2], e.seconds_per_step, memory_text(e.peak_bytes).c_str());
}

/** PPO on a model against a reward model trained for two steps: batch 8, 32 new tokens,
 *  4 PPO epochs of mini-batches of 4; seconds per step and the share spent generating. */
void bench_ppo(const fs::path& root, const fs::path& model, const std::string& label, const fs::path& data) {
    TrainConfig rm;
    rm.stage = Stage::RewardModel;
    rm.model = model.string();
    rm.data = data.string();
    rm.max_steps = 2;
    TrainOptions rm_options;
    rm_options.run_dir = root / ("ppo-rm-" + model.filename().string());
    train(rm, rm_options);
    TrainConfig c;
    c.stage = Stage::Ppo;
    c.model = model.string();
    c.reward = (rm_options.run_dir / "adapter").string();
    c.data = data.string();
    c.lora = {16, 32, 0.05, {}};
    c.batch_size = 8;
    c.grad_accum = 1;
    c.ppo.mini_batch = 4;
    c.ppo.min_new_tokens = c.ppo.max_new_tokens = 32;
    c.log_every = 1;
    const double one = timed_run(c, root / ("ppo-1-" + model.filename().string()), 1).first;
    auto [all, shares] = timed_run(c, root / ("ppo-" + model.filename().string()), 5, "generation_share");
    std::sort(shares.begin(), shares.end());
    std::printf("  %-5s ppo  %7.3f s/step   generation %.0f%% of it (median)\n", label.c_str(), (all - one) / 4,
                100 * shares[shares.size() / 2]);
}

}  // namespace

int main() {
    use_fast_blas_kernels();  // as amalgam-cli does
    keep_freed_memory_for_reuse();
    use_all_cores();
    const fs::path root = fs::temp_directory_path() / "amalgam-train-bench";
    fs::remove_all(root);
    fs::create_directories(root);
    const fs::path data = write_rows(root / "rows.jsonl", 64);
    std::printf("training on the CPU (%d threads), batch 4, LoRA r 16 on q_proj and v_proj, float32\n", at::get_num_threads());
    for (Stage stage : {Stage::Sft, Stage::RewardModel, Stage::Dpo}) bench(root, "tiny", stage, 21, data);
    for (Stage stage : {Stage::Sft, Stage::RewardModel, Stage::Dpo}) bench(root, "small", stage, 9, data);
    bench_ppo(root, root / "llama-tiny", "tiny", data);
    bench_ppo(root, root / "llama-small", "small", data);
    // A real vocabulary: every response token is drawn among 50,257, and every pass ends in
    // logits that wide.
    const fs::path shared = amalgam::test::shared_data_dir();
    if (shared.empty()) {
        std::printf("%s: skipping PPO with the GPT-2 vocabulary\n", amalgam::test::shared_data_absent().c_str());
    } else {
        ModelInitOptions o;
        o.tokenizer = shared / "tokenizers/gpt2";
        init_random_model(root / "llama-tiny-gpt2", o);
        bench_ppo(root, root / "llama-tiny-gpt2", "tiny, GPT-2 vocabulary,", data);
    }
    fs::remove_all(root);
    return 0;
}
