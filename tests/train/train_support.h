#pragma once

#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_support.h"
#include "core/tiny_model.h"
#include "core/train/train_config.h"
#include "core/train/trainer.h"

namespace amalgam::test {

/** Pairs whose chosen answer carries a marker the rejected one lacks, over random words: a
 *  preference a model can learn and must generalise to held-out pairs. JSONL text. */
inline std::string marked_pairs(int count, std::uint64_t seed) {
    static const char* words[] = {"red", "blue", "cat", "dog", "sun", "tree", "map", "cup", "sky", "box", "pen", "hat"};
    std::mt19937_64 rng(seed);
    std::string out;
    for (int i = 0; i < count; ++i) {
        std::string prompt = "say", body;
        for (int w = 0; w < 3; ++w) prompt += std::string(" ") + words[rng() % 12];
        for (int w = 0; w < 3; ++w) body += std::string(w ? " " : "") + words[rng() % 12];
        nlohmann::json row = {{"prompt", prompt}, {"chosen", body + " :)"}, {"rejected", body + " :("}};
        out += row.dump() + "\n";
    }
    return out;
}

/** Completions labelled desirable (ending ":)") or not (":("), each with its own prompt: the
 *  unpaired feedback KTO reads. */
inline std::string marked_unpaired(int count, std::uint64_t seed) {
    std::string out;
    std::istringstream pairs(marked_pairs(count, seed));
    int i = 0;
    for (std::string line; std::getline(pairs, line); ++i) {
        const auto pair = nlohmann::json::parse(line);
        const bool desirable = i % 3 != 2;  // two desirable to one undesirable, as real feedback is rarely balanced
        nlohmann::json row = {{"prompt", pair["prompt"]}, {"completion", pair[desirable ? "chosen" : "rejected"]}, {"label", desirable}};
        out += row.dump() + "\n";
    }
    return out;
}

/** A small fixed corpus of prompts and answers for SFT. */
inline std::string fixed_corpus() {
    return R"({"prompt": "Name a colour.", "response": "Blue."}
{"prompt": "Name an animal.", "response": "A cat."}
{"prompt": "What is two plus two?", "response": "Four."}
{"prompt": "Say hello.", "response": "Hello there."}
)";
}

/** A config for quick runs on a tiny model: LoRA on every projection, a high learning rate. */
inline TrainConfig quick_config(Stage stage, const std::filesystem::path& model, const std::filesystem::path& data) {
    TrainConfig c;
    c.stage = stage;
    c.model = model.string();
    c.data = data.string();
    c.lora = {8, 16, 0.0, {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}};
    c.optimizer.lr = 5e-3;
    c.optimizer.schedule = Schedule::Constant;
    c.batch_size = 4;
    c.max_length = 96;
    c.max_steps = 12;
    c.save_every = 4;
    c.log_every = 1;
    return c;
}

/** The lines of a run's metrics.jsonl. */
inline std::vector<nlohmann::json> metrics_of(const std::filesystem::path& run_dir) {
    std::vector<nlohmann::json> lines;
    std::ifstream in(run_dir / "metrics.jsonl");
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
}

/** Runs a config straight through and again stopped at `stop` then resumed: the adapters (with
 *  PPO's value head), the samples and the logged lines (but for timing) must match to the byte. */
inline void expect_exact_resume(const TrainConfig& c, std::int64_t stop) {
    TempDir dir;
    auto run = [&](const std::string& name, std::optional<std::int64_t> stop_at, bool resume) {
        TrainOptions options;
        options.run_dir = dir / name;
        options.stop_at = stop_at;
        options.resume = resume;
        return train(c, options);
    };
    run("straight", std::nullopt, false);
    EXPECT_FALSE(run("stopped", stop, false).finished);
    EXPECT_TRUE(std::filesystem::exists(dir / "stopped" / "checkpoints" / ("step-" + std::to_string(stop))));
    EXPECT_TRUE(run("stopped", std::nullopt, true).finished);
    for (const char* file : {"adapter/adapter_model.safetensors", "adapter/value_head.safetensors", "samples.jsonl"}) {
        if (std::filesystem::exists(dir / "straight" / file)) {
            EXPECT_EQ(read_text(dir / "straight" / file), read_text(dir / "stopped" / file)) << file;
        }
    }
    auto a = metrics_of(dir / "straight"), b = metrics_of(dir / "stopped");
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (const char* timing : {"tokens_per_s", "generation_share"}) {
            a[i].erase(timing);
            b[i].erase(timing);
        }
        EXPECT_EQ(a[i], b[i]) << "line " << i;
    }
}

}  // namespace amalgam::test
