#include "core/contract/worker_job.h"

#include <stdexcept>

namespace amalgam {
namespace {

using json = nlohmann::json;

/** Optional values are left out of the JSON, so that it reads as the flags do. */
template <typename T>
void put(json& j, const char* key, const T& value, bool present = true) {
    if (present) j[key] = value;
}

json to_json(const MakeModelJob& j) { return {{"arch", j.arch}, {"out", j.out}}; }
json to_json(const CurateJob& j) { return {{"recipe", j.recipe}, {"out", j.out}}; }
json to_json(const EvaluateJob& j) {
    json out = {{"model", j.model}, {"data", j.data}, {"out", j.out}, {"device", j.device.name()}, {"dtype", to_string(j.precision)}};
    put(out, "adapter", j.adapter, !j.adapter.empty());
    put(out, "label", j.label, !j.label.empty());
    put(out, "suite", j.suite, !j.suite.empty());
    put(out, "limit", j.limit, j.limit > 0);
    if (j.run) out["run"] = *j.run;
    if (j.step) out["step"] = *j.step;
    if (j.chat_template) out["template"] = "chat";
    return out;
}
json to_json(const TrainJob& j) {
    json out = {{"config", j.config}, {"out", j.out}, {"device", j.device.name()}, {"dtype", to_string(j.precision)}};
    if (j.slurm) out["slurm"] = slurm_request_json(*j.slurm);
    return out;
}
json to_json(const MergeJob& j) { return {{"model", j.model}, {"adapter", j.adapter}, {"out", j.out}}; }
json to_json(const GenerateJob& j) {
    return {{"model", j.model}, {"adapter", j.adapter}, {"data", j.data}, {"template", j.prompt_template},
            {"out", j.out},     {"device", j.device.name()}, {"dtype", to_string(j.precision)}};
}

/** Reads the fields of a stored job; a missing or mistyped one is std::invalid_argument. */
class Fields {
public:
    explicit Fields(const json& j) : j_(j) {
        if (!j_.is_object()) throw std::invalid_argument("a job's options are not a JSON object");
    }
    std::string text(const char* key) const {
        const auto it = j_.find(key);
        if (it == j_.end() || !it->is_string()) throw std::invalid_argument(std::string("a job's '") + key + "' is missing or not text");
        return it->get<std::string>();
    }
    std::string optional_text(const char* key) const { return j_.contains(key) ? text(key) : std::string(); }
    std::optional<std::int64_t> integer(const char* key) const {
        const auto it = j_.find(key);
        if (it == j_.end()) return std::nullopt;
        if (!it->is_number()) throw std::invalid_argument(std::string("a job's '") + key + "' is not a number");
        return it->get<std::int64_t>();
    }
    Device device() const { return Device::parse(text("device")); }
    Precision precision() const { return parse_name<Precision>(text("dtype")); }

private:
    const json& j_;
};

}  // namespace

json job_json(const WorkerJob& job) {
    return std::visit([](const auto& j) { return to_json(j); }, job);
}

WorkerJob worker_job(JobKind kind, const json& options) {
    const Fields f(options);
    switch (kind) {
        case JobKind::MakeModel: return MakeModelJob{f.text("arch"), f.text("out")};
        case JobKind::Curate: return CurateJob{f.text("recipe"), f.text("out")};
        case JobKind::Evaluate:
            return EvaluateJob{f.text("model"),          f.text("data"),          f.text("out"),
                               f.device(),               f.precision(),           f.optional_text("adapter"),
                               f.optional_text("label"), f.optional_text("suite"), f.integer("limit").value_or(0),
                               f.integer("run"),         f.integer("step"),       f.optional_text("template") == "chat"};
        case JobKind::Train: {
            TrainJob train{f.text("config"), f.text("out"), f.device(), f.precision()};
            if (options.contains("slurm")) train.slurm = slurm_request_from_json(options["slurm"]);
            return train;
        }
        case JobKind::Merge: return MergeJob{f.text("model"), f.text("adapter"), f.text("out")};
        case JobKind::Generate:
            return GenerateJob{f.text("model"), f.text("adapter"), f.text("data"), f.text("template"), f.text("out"), f.device(), f.precision()};
    }
    throw std::invalid_argument("unknown job kind");
}

std::vector<std::string> worker_arguments(const WorkerJob& job, const std::string& workspace) {
    const std::vector<std::string> store = {"--workspace", workspace, "--progress", "json"};
    auto with = [](std::vector<std::string> out, const std::vector<std::string>& more) {
        out.insert(out.end(), more.begin(), more.end());
        return out;
    };
    auto on = [](const Device& device, Precision precision) -> std::vector<std::string> {
        return {"--device", device.name(), "--dtype", to_string(precision)};
    };
    switch (kind_of(job)) {
        case JobKind::MakeModel: {
            const auto& j = std::get<MakeModelJob>(job);
            return {"model", "init", "--arch", j.arch, "--preset", "tiny", "--out", j.out};
        }
        case JobKind::Curate: {
            const auto& j = std::get<CurateJob>(job);
            return with({"curate", j.recipe, "--out", j.out}, store);
        }
        case JobKind::Evaluate: {
            const auto& j = std::get<EvaluateJob>(job);
            std::vector<std::string> out = {"eval", j.model, "--data", j.data, "--out", j.out};
            auto optional = [&](const char* flag, const std::string& value) {
                if (!value.empty()) out.insert(out.end(), {flag, value});
            };
            optional("--adapter", j.adapter);
            optional("--label", j.label);
            optional("--suite", j.suite);
            optional("--limit", j.limit > 0 ? std::to_string(j.limit) : "");
            optional("--run", j.run ? std::to_string(*j.run) : "");
            optional("--step", j.step ? std::to_string(*j.step) : "");
            optional("--template", j.chat_template ? "chat" : "");
            return with(with(out, on(j.device, j.precision)), store);
        }
        case JobKind::Train: {
            // Always --resume: a job queued again after a crash or a cancel continues its run. On
            // Slurm the worker submits the run (whose script resumes) and follows the job to its end.
            const auto& j = std::get<TrainJob>(job);
            if (j.slurm) return with(with({"submit", j.config, "--out", j.out, "--dtype", to_string(j.precision), "--wait"}, submit_flags(*j.slurm)), store);
            return with(with({"train", j.config, "--out", j.out, "--resume"}, on(j.device, j.precision)), store);
        }
        case JobKind::Merge: {
            const auto& j = std::get<MergeJob>(job);
            return {"model", "merge", j.model, "--adapter", j.adapter, "--out", j.out};
        }
        case JobKind::Generate: {
            const auto& j = std::get<GenerateJob>(job);
            return with({"generate", j.model, "--adapter", j.adapter, "--data", j.data, "--template", j.prompt_template, "--out", j.out},
                        on(j.device, j.precision));
        }
    }
    return {};
}

}  // namespace amalgam
