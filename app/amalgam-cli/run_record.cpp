#include "run_record.h"

#include <optional>
#include <utility>
#include <vector>

#include "core/util/data_error.h"
#include "core/util/sha256.h"
#include "core/util/text_file.h"
#include "core/util/yaml_json.h"

namespace amalgam::cli {

namespace fs = std::filesystem;

TrainConfig read_config(const fs::path& path) {
    const std::string origin = path.string();
    const YamlJson yaml = yaml_to_json(TextFile(path).content(), origin);
    try {
        const TrainConfig config = train_config_from_json(yaml.value, fs::absolute(path).parent_path().string());
        check_inputs(config);
        return config;
    } catch (const ConfigError& e) {
        throw DataError(origin, yaml.line_of(e.key()), e.what());
    }
}

RunRow recorded_run(Workspace& workspace, const fs::path& run_dir, const TrainConfig& config, const Device& device, Precision precision,
                    const std::string& cluster_job) {
    const auto folder = [](const fs::path& p) { return fs::weakly_canonical(fs::absolute(p)); };
    std::vector<std::pair<fs::path, RunRow>> runs;
    for (auto& r : workspace.runs().all()) runs.emplace_back(folder(r.dir), std::move(r));
    const auto run_in = [&](const fs::path& dir) -> std::optional<RunRow> {
        for (const auto& [stored, r] : runs)
            if (stored == dir) return r;
        return std::nullopt;
    };
    const fs::path dir = folder(run_dir);
    const std::optional<RunRow> stored = run_in(dir);
    if (stored && stored->job_id) {  // the workbench's run: it may have been submitted to Slurm
        if (cluster_job.empty() || stored->cluster_job == cluster_job) return *stored;
        workspace.runs().set_cluster_job(stored->id, cluster_job);
        RunRow submitted = *stored;
        submitted.cluster_job = cluster_job;
        return submitted;
    }
    const auto id_of_run_holding = [&](const std::string& adapter) -> std::optional<std::int64_t> {
        if (adapter.empty()) return std::nullopt;
        auto r = run_in(folder(adapter).parent_path());
        return r ? std::optional<std::int64_t>(r->id) : std::nullopt;
    };
    RunRow row;
    row.label = dir.filename().string();
    row.stage = config.stage;
    row.dir = stored ? stored->dir : dir.string();
    row.config = json_to_yaml(config.to_json());
    row.model = config.model;
    row.max_steps = config.max_steps;
    row.prompt_template = config.prompt_template;
    row.parent_run = id_of_run_holding(config.adapter);
    row.reward_run = id_of_run_holding(config.reward);
    row.data = config.data;
    row.data_sha256 = file_sha256(config.data);
    row.device = device;
    row.precision = resolved(precision, device.kind);
    row.cluster_job = cluster_job;
    return workspace.runs().record(row);
}

}  // namespace amalgam::cli
