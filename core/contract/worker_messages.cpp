#include "core/contract/worker_messages.h"

namespace amalgam {

namespace {

using json = nlohmann::ordered_json;

json to_json(const ProgressMessage& m) { return {{"progress", {{"stage", m.stage}, {"done", m.done}, {"total", m.total}}}}; }

json to_json(const PlanMessage& m) {
    json stages = json::array();
    for (const auto& s : m.stages) stages.push_back({{"stage", s.name}, {"total", s.total}, {"work", s.work}});
    return {{"plan", stages}};
}

json to_json(const MetricsMessage& m) { return {{"metrics", m.values}}; }

json to_json(const ClusterJobMessage& m) { return {{"cluster_job", {{"job", m.job}, {"state", m.state}}}}; }

}  // namespace

std::string worker_line(const WorkerMessage& message) {
    return std::visit([](const auto& m) { return to_json(m).dump(); }, message);
}

std::optional<WorkerMessage> read_worker_line(std::string_view line) {
    const json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || j.size() != 1) return std::nullopt;
    try {
        if (const auto p = j.find("progress"); p != j.end() && p->is_object())
            return ProgressMessage{p->at("stage").get<std::string>(), p->at("done").get<std::size_t>(), p->at("total").get<std::size_t>()};
        if (const auto p = j.find("plan"); p != j.end() && p->is_array()) {
            PlanMessage plan;
            for (const auto& s : *p) plan.stages.push_back({s.at("stage").get<std::string>(), s.at("total").get<std::size_t>(), s.at("work").get<double>()});
            return plan;
        }
        if (const auto m = j.find("metrics"); m != j.end() && m->is_object()) return MetricsMessage{*m};
        if (const auto c = j.find("cluster_job"); c != j.end() && c->is_object())
            return ClusterJobMessage{c->at("job").get<std::string>(), c->at("state").get<std::string>()};
    } catch (const nlohmann::json::exception&) {
        // a line shaped like a message but not one: the worker's log
    }
    return std::nullopt;
}

}  // namespace amalgam
