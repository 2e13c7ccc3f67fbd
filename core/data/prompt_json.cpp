#include "core/data/prompt_json.h"

namespace amalgam {

nlohmann::json to_json(const std::vector<Turn>& turns) {
    auto out = nlohmann::json::array();
    for (const auto& t : turns) out.push_back({{"role", t.role}, {"text", t.text}});
    return out;
}

std::vector<Turn> turns_from_json(const nlohmann::json& j) {
    std::vector<Turn> out;
    for (const auto& t : j) out.push_back({t.at("role").get<std::string>(), t.at("text").get<std::string>()});
    return out;
}

nlohmann::json to_json(const Prompt& p) {
    nlohmann::json responses = nlohmann::json::array();
    for (const auto& r : p.responses) responses.push_back({{"text", r.text}, {"labels", r.labels}});
    return {{"source_id", p.source_id},
            {"prompt", p.text},
            {"context", to_json(p.context)},
            {"supervision", to_string(p.supervision)},
            {"responses", responses}};
}

Prompt prompt_from_json(const nlohmann::json& j) {
    Prompt p;
    p.source_id = j.at("source_id").get<std::string>();
    p.text = j.at("prompt").get<std::string>();
    p.context = turns_from_json(j.at("context"));
    p.supervision = parse_name<Supervision>(j.at("supervision").get<std::string>());
    for (const auto& r : j.at("responses"))
        p.responses.push_back({r.at("text").get<std::string>(), r.at("labels").get<std::map<std::string, double>>()});
    return p;
}

}  // namespace amalgam
