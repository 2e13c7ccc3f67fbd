#include "core/train/checkpoint.h"

#include <algorithm>
#include <fstream>
#include <vector>

#include "core/util/atomic_file.h"

namespace amalgam {
namespace {

namespace fs = std::filesystem;

const std::string kPrefix = "step-";

/** The step of a checkpoint folder name ("step-120"), or -1. */
std::int64_t step_of(const fs::path& dir) {
    const std::string name = dir.filename().string();
    if (name.rfind(kPrefix, 0) != 0 || name.size() == kPrefix.size()) return -1;
    const std::string digits = name.substr(kPrefix.size());
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return -1;
    return std::stoll(digits);
}

std::vector<std::pair<std::int64_t, fs::path>> checkpoints(const fs::path& run_dir) {
    std::vector<std::pair<std::int64_t, fs::path>> found;
    const fs::path dir = run_dir / "checkpoints";
    if (!fs::is_directory(dir)) return found;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_directory() && step_of(entry.path()) >= 0) found.emplace_back(step_of(entry.path()), entry.path());
    std::sort(found.begin(), found.end());
    return found;
}

}  // namespace

void save_checkpoint(const fs::path& run_dir, const TransformerModel& model, const AdamW& optimizer, const TrainerState& state,
                     const std::string& base_model, const std::vector<ExtraTensors>& extra, int keep) {
    const fs::path dir = run_dir / "checkpoints";
    const fs::path final_dir = dir / (kPrefix + std::to_string(state.step));
    const fs::path partial = dir / ("." + kPrefix + std::to_string(state.step) + ".partial");
    fs::remove_all(partial);
    fs::create_directories(partial);
    model.save_adapter(partial, base_model);
    write_safetensors(partial / "optimizer.safetensors", optimizer.state(), {{"format", "pt"}});
    for (const auto& e : extra) write_safetensors(partial / e.file, e.tensors, {{"format", "pt"}});
    nlohmann::ordered_json j = {{"step", state.step},
                                {"optimizer_steps", optimizer.steps()},
                                {"micro_batches", state.micro_batches},
                                {"metrics_bytes", state.metrics_bytes},
                                {"window", state.window},
                                {"extra", state.extra}};
    write_file_atomically(partial / "trainer_state.json", j.dump(2) + "\n");
    fs::remove_all(final_dir);
    fs::rename(partial, final_dir);
    auto all = checkpoints(run_dir);
    for (std::size_t i = 0; i + static_cast<std::size_t>(keep) < all.size(); ++i) fs::remove_all(all[i].second);
}

std::optional<fs::path> latest_checkpoint(const fs::path& run_dir) {
    const fs::path dir = run_dir / "checkpoints";
    if (fs::is_directory(dir))
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.path().filename().string().rfind(".", 0) == 0) fs::remove_all(entry.path());
    auto all = checkpoints(run_dir);
    if (all.empty()) return std::nullopt;
    return all.back().second;
}

TrainerState load_trainer_state(const fs::path& checkpoint) {
    const std::string path = (checkpoint / "trainer_state.json").string();
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open");
    try {
        auto j = nlohmann::json::parse(in);
        TrainerState s;
        s.step = j.at("step").get<std::int64_t>();
        s.micro_batches = j.at("micro_batches").get<std::int64_t>();
        s.metrics_bytes = j.at("metrics_bytes").get<std::uint64_t>();
        s.window = j.at("window");
        s.optimizer_steps = j.at("optimizer_steps").get<std::int64_t>();
        s.extra = j.value("extra", nlohmann::json::object());
        return s;
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": not a trainer state: " + e.what());
    }
}

}  // namespace amalgam
